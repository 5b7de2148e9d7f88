#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <cstdint>
#include <memory>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace kiln {

class Database;

/// A prepared SQLite statement. Lives on the thread of the Database that made it.
class Statement final
{
public:
    Statement() = default;
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    bool isValid() const { return m_stmt != nullptr; }

    // Parameters are 1-based, as in SQLite.
    Statement &bind(int index, long long value);
    Statement &bind(int index, long value) { return bind(index, static_cast<long long>(value)); }
    Statement &bind(int index, int value) { return bind(index, static_cast<long long>(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, std::string_view utf8);
    Statement &bindBlob(int index, const QByteArray &value);
    Statement &bindNull(int index);

    /// Steps once: true while a row is available; errors go to Database::lastError().
    bool next();
    /// Runs to completion, for INSERT/UPDATE/DELETE.
    Status exec();
    void reset();

    std::int64_t int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    bool isNull(int column) const;

private:
    friend class Database;
    Statement(Database *db, sqlite3_stmt *stmt)
        : m_db(db)
        , m_stmt(stmt)
    { }

    Database *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
};

/// Dates are stored as ISO 8601 UTC text with milliseconds ("2024-05-01T09:30:00.123Z"): they
/// sort as text and read the same in any SQLite tool. storedNow() is the current time in that
/// form; storedTime() reads it back from a column (invalid when NULL or empty).
QString storedNow();
QDateTime storedTime(const Statement &row, int column);

/// One SQLite connection. Not thread-safe: each thread opens its own on the same file;
/// WAL mode and a busy timeout let them, and other processes, share it safely.
class Database final
{
public:
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    static Expected<std::unique_ptr<Database>> open(const QString &path);

    Status exec(const char *sql);
    Expected<Statement> prepare(const char *sql);
    std::int64_t lastInsertId() const;
    int changes() const;
    QString lastError() const;
    QString path() const { return m_path; }

    /// Runs `PRAGMA integrity_check`; ok when SQLite answers "ok".
    Status integrityCheck();

    sqlite3 *handle() const { return m_db; }

private:
    explicit Database(sqlite3 *db, QString path)
        : m_db(db)
        , m_path(std::move(path))
    { }
    sqlite3 *m_db = nullptr;
    QString m_path;
};

/// RAII transaction: BEGIN IMMEDIATE on construction, ROLLBACK unless commit() succeeded.
class Transaction final
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    const Status &beginStatus() const { return m_begin; }
    Status commit();

private:
    Database &m_db;
    Status m_begin;
    bool m_active = false;
};

} // namespace kiln
