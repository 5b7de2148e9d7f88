#include "ubjcheck.h"

#include <QString>

#include <cstdint>

namespace kiln::Internal::xgb {

namespace {

// XGBoost models nest about six levels deep; the reader recurses once per level.
constexpr int kMaxDepth = 64;

class UbjWalker
{
public:
    explicit UbjWalker(QByteArrayView bytes)
        : m_data(reinterpret_cast<const unsigned char *>(bytes.data()))
        , m_size(std::size_t(bytes.size()))
    { }

    Status walk()
    {
        if (m_size < 2 || m_data[0] != '{' || m_data[1] != 'L')
            return Error {QStringLiteral("the model is not an XGBoost UBJSON model")};
        if (!value(0))
            return Error {QStringLiteral("the model is damaged: %1 at byte %2 of %3")
                              .arg(QLatin1String(m_problem))
                              .arg(m_pos)
                              .arg(m_size)};
        if (m_pos != m_size)
            return Error {QStringLiteral("the model is damaged: %1 stray bytes after its end").arg(m_size - m_pos)};
        return Status::success();
    }

private:
    bool fail(const char *problem)
    {
        m_problem = problem;
        return false;
    }

    bool skip(std::size_t n)
    {
        if (n > m_size - m_pos)
            return fail("it ends early");
        m_pos += n;
        return true;
    }

    bool next(unsigned char &c)
    {
        if (m_pos >= m_size)
            return fail("it ends early");
        c = m_data[m_pos++];
        return true;
    }

    // A length: 'L' and a big-endian int64, as XGBoost writes every length.
    bool length(std::size_t &n)
    {
        unsigned char marker = 0;
        if (!next(marker))
            return false;
        if (marker != 'L')
            return fail("a length is not an int64");
        if (m_size - m_pos < 8)
            return fail("it ends early");
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = (v << 8) | m_data[m_pos++];
        if (v > m_size) // no count or byte length can exceed the document
            return fail("a length exceeds the data");
        n = std::size_t(v);
        return true;
    }

    bool string()
    {
        std::size_t n = 0;
        return length(n) && skip(n);
    }

    bool value(int depth)
    {
        if (depth > kMaxDepth)
            return fail("it nests too deeply");
        unsigned char marker = 0;
        if (!next(marker))
            return false;
        switch (marker) {
        case 'Z':
        case 'T':
        case 'F':
            return true;
        case 'i':
        case 'U':
        case 'C':
            return skip(1);
        case 'I':
            return skip(2);
        case 'l':
        case 'd':
            return skip(4);
        case 'L':
            return skip(8);
        case 'S':
            return string();
        case '{':
            return object(depth);
        case '[':
            return array(depth);
        default:
            return fail("an unknown value type");
        }
    }

    bool object(int depth)
    {
        while (true) {
            if (m_pos >= m_size)
                return fail("an object is not closed");
            if (m_data[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            if (!string() || !value(depth + 1))
                return false;
        }
    }

    bool array(int depth)
    {
        if (m_pos >= m_size)
            return fail("an array is not closed");
        if (m_data[m_pos] == '$') { // typed: '$' type '#' length, then the packed values
            ++m_pos;
            unsigned char type = 0;
            unsigned char hash = 0;
            std::size_t n = 0;
            if (!next(type) || !next(hash))
                return false;
            if (hash != '#')
                return fail("a typed array has no count");
            if (!length(n))
                return false;
            switch (type) {
            case 'U':
                return skip(n);
            case 'd':
            case 'l':
                return n <= (m_size - m_pos) / 4 ? skip(n * 4) : fail("it ends early");
            case 'L':
                return n <= (m_size - m_pos) / 8 ? skip(n * 8) : fail("it ends early");
            default:
                return fail("a typed array of an unsupported type");
            }
        }
        if (m_data[m_pos] == '#') { // counted
            ++m_pos;
            std::size_t n = 0;
            if (!length(n))
                return false;
            for (std::size_t i = 0; i < n; ++i) {
                if (!value(depth + 1))
                    return false;
            }
            return true;
        }
        while (true) {
            if (m_pos >= m_size)
                return fail("an array is not closed");
            if (m_data[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            if (!value(depth + 1))
                return false;
        }
    }

    const unsigned char *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    const char *m_problem = "";
};

} // namespace

Status checkUbjModel(QByteArrayView bytes)
{
    return UbjWalker(bytes).walk();
}

} // namespace kiln::Internal::xgb
