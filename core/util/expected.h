#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace kiln {

/// A message a user can act on, e.g. "line 1,204 of sales.csv: 7 fields, expected 9".
struct Error
{
    QString message;
};

/// A value or the Error that prevented it. Core code returns these instead of throwing.
template<typename T>
class Expected
{
public:
    Expected(T value)
        : m_state(std::move(value))
    { }
    Expected(Error error)
        : m_state(std::move(error))
    { }

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(m_state); }
    const QString &errorMessage() const { return error().message; }

private:
    std::variant<T, Error> m_state;
};

/// Success or an Error, for operations with no value.
class Status
{
public:
    Status() = default;
    Status(Error error)
        : m_error(std::move(error))
    { }

    static Status success() { return {}; }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const QString &errorMessage() const { return m_error->message; }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

} // namespace kiln
