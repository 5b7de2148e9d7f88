#include "jsonobjectscanner.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace kiln::Internal {

namespace {

// Deep enough for any real record, shallow enough that the recursion cannot exhaust the stack.
constexpr int kMaxDepth = 512;
const char kZero[] = "0";

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void appendUtf8(std::string &out, char32_t code)
{
    if (code < 0x80) {
        out.push_back(char(code));
    } else if (code < 0x800) {
        out.push_back(char(0xC0 | (code >> 6)));
        out.push_back(char(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(char(0xE0 | (code >> 12)));
        out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(char(0x80 | (code & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (code >> 18)));
        out.push_back(char(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(char(0x80 | (code & 0x3F)));
    }
}

} // namespace

JsonObjectScanner::Result JsonObjectScanner::scan(const char *begin, const char *end)
{
    m_members.clear();
    m_scratch.clear();
    m_p = begin;
    m_end = end;
    m_errorReason = nullptr;
    m_errorAt = nullptr;

    skipWhitespace();
    if (m_p == m_end) {
        fail("unexpected end of line", m_p);
        return Result::Invalid;
    }
    if (*m_p != '{') {
        // Valid JSON of another kind is a line that is not a record; the rest is invalid.
        if (!copyCompact(0))
            return Result::Invalid;
        skipWhitespace();
        if (m_p != m_end) {
            fail("unexpected text after the value", m_p);
            return Result::Invalid;
        }
        return Result::NotObject;
    }
    ++m_p;
    skipWhitespace();
    if (m_p < m_end && *m_p == '}') {
        ++m_p;
    } else {
        for (;;) {
            skipWhitespace();
            if (m_p == m_end || *m_p != '"') {
                fail(m_p == m_end ? "unexpected end of line" : "expected a key in double quotes", m_p);
                return Result::Invalid;
            }
            Member member;
            if (!readString(member.key))
                return Result::Invalid;
            skipWhitespace();
            if (m_p == m_end || *m_p != ':') {
                fail("expected ':' after the key", m_p);
                return Result::Invalid;
            }
            ++m_p;
            skipWhitespace();
            if (!readMemberValue(member.value))
                return Result::Invalid;
            m_members.push_back(member);
            skipWhitespace();
            if (m_p < m_end && *m_p == ',') {
                ++m_p;
                continue;
            }
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                break;
            }
            fail(m_p == m_end ? "unexpected end of line" : "expected ',' or '}'", m_p);
            return Result::Invalid;
        }
    }
    skipWhitespace();
    if (m_p != m_end) {
        fail("unexpected text after the object", m_p);
        return Result::Invalid;
    }
    return Result::Object;
}

void JsonObjectScanner::skipWhitespace()
{
    if (m_p < m_end && isSpace(*m_p)) {
        m_droppedSpace = true;
        while (m_p < m_end && isSpace(*m_p))
            ++m_p;
    }
}

bool JsonObjectScanner::fail(const char *reason, const char *at)
{
    m_errorReason = reason;
    m_errorAt = at;
    return false;
}

bool JsonObjectScanner::readString(Piece &out)
{
    const char *start = ++m_p;
    const char *run = start;
    bool copied = false;
    std::size_t offset = 0;
    for (;;) {
        while (m_p < m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"' || c == '\\' || c < 0x20)
                break;
            ++m_p;
        }
        if (m_p == m_end)
            return fail("unterminated string", start - 1);
        if (*m_p == '"')
            break;
        if (static_cast<unsigned char>(*m_p) < 0x20)
            return fail("control character in a string", m_p);
        // An escape: from here on the string is built in the scratch buffer.
        if (!copied) {
            copied = true;
            offset = m_scratch.size();
        }
        m_scratch.append(run, std::size_t(m_p - run));
        if (!readEscape())
            return false;
        run = m_p;
    }
    if (copied) {
        m_scratch.append(run, std::size_t(m_p - run));
        out = {nullptr, offset, m_scratch.size() - offset};
    } else {
        out = {start, 0, std::size_t(m_p - start)};
    }
    ++m_p;
    return true;
}

bool JsonObjectScanner::readEscape()
{
    const char *at = m_p++;
    if (m_p == m_end)
        return fail("unterminated string", at);
    const char kind = *m_p++;
    switch (kind) {
    case '"':
    case '\\':
    case '/':
        m_scratch.push_back(kind);
        return true;
    case 'b':
        m_scratch.push_back('\b');
        return true;
    case 'f':
        m_scratch.push_back('\f');
        return true;
    case 'n':
        m_scratch.push_back('\n');
        return true;
    case 'r':
        m_scratch.push_back('\r');
        return true;
    case 't':
        m_scratch.push_back('\t');
        return true;
    case 'u':
        break;
    default:
        return fail("invalid escape", at);
    }
    auto hex4 = [this](char32_t &value) {
        if (m_end - m_p < 4)
            return false;
        value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexValue(*m_p++);
            if (digit < 0)
                return false;
            value = value * 16 + char32_t(digit);
        }
        return true;
    };
    char32_t code = 0;
    if (!hex4(code))
        return fail("invalid \\u escape", at);
    if (code >= 0xD800 && code <= 0xDBFF) {
        char32_t low = 0;
        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
            return fail("unpaired surrogate in a \\u escape", at);
        m_p += 2;
        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
            return fail("unpaired surrogate in a \\u escape", at);
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
        return fail("unpaired surrogate in a \\u escape", at);
    }
    appendUtf8(m_scratch, code);
    return true;
}

bool JsonObjectScanner::scanNumber()
{
    const char *start = m_p;
    if (*m_p == '-')
        ++m_p;
    if (m_p == m_end || !isDigit(*m_p))
        return fail("invalid number", start);
    if (*m_p == '0') {
        ++m_p;
    } else {
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p < m_end && *m_p == '.') {
        ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return fail("invalid number", start);
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
        ++m_p;
        if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
            ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return fail("invalid number", start);
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    return true;
}

bool JsonObjectScanner::readNumber(Piece &out)
{
    const char *start = m_p;
    if (!scanNumber())
        return false;
    std::int64_t integer = 0;
    const auto [integerEnd, integerError] = std::from_chars(start, m_p, integer);
    if (integerError == std::errc() && integerEnd == m_p) {
        // As written (the common case, no copy), except that -0 is plain 0.
        out = integer == 0 ? Piece {kZero, 0, 1} : Piece {start, 0, std::size_t(m_p - start)};
        return true;
    }
    double number = 0;
    const auto [doubleEnd, doubleError] = std::from_chars(start, m_p, number);
    if (doubleError != std::errc() || doubleEnd != m_p) {
        out = {start, 0, std::size_t(m_p - start)}; // beyond double's range: keep it as written
        return true;
    }
    char buffer[32];
    std::to_chars_result written;
    if (number != std::trunc(number))
        written = std::to_chars(buffer, buffer + sizeof buffer, number);
    else if (std::fabs(number) < 9223372036854775808.0)
        written = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(number));
    else // all digits of a whole number past 64 bits would look exact, and are not
        written = std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
    const std::size_t offset = m_scratch.size();
    m_scratch.append(buffer, std::size_t(written.ptr - buffer));
    out = {nullptr, offset, m_scratch.size() - offset};
    return true;
}

bool JsonObjectScanner::readLiteral(std::string_view word)
{
    if (std::size_t(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
        return fail("invalid literal", m_p);
    m_p += word.size();
    return true;
}

bool JsonObjectScanner::readMemberValue(Piece &out)
{
    if (m_p == m_end)
        return fail("unexpected end of line", m_p);
    const char *start = m_p;
    switch (*m_p) {
    case '"':
        return readString(out);
    case '{':
    case '[': {
        const std::size_t offset = m_scratch.size();
        m_droppedSpace = false;
        if (!copyCompact(1))
            return false;
        if (m_droppedSpace) {
            out = {nullptr, offset, m_scratch.size() - offset};
        } else {
            // Already compact: the line itself is the field.
            m_scratch.resize(offset);
            out = {start, 0, std::size_t(m_p - start)};
        }
        return true;
    }
    case 't':
        out = {start, 0, 4};
        return readLiteral("true");
    case 'f':
        out = {start, 0, 5};
        return readLiteral("false");
    case 'n':
        out = {start, 0, 0}; // null reads as a missing value
        return readLiteral("null");
    default:
        if (*m_p == '-' || isDigit(*m_p))
            return readNumber(out);
        return fail("unexpected character", m_p);
    }
}

bool JsonObjectScanner::copyCompact(int depth)
{
    if (depth > kMaxDepth)
        return fail("nesting deeper than 512 levels", m_p);
    if (m_p == m_end)
        return fail("unexpected end of line", m_p);
    const char open = *m_p;
    if (open == '"')
        return copyString();
    if (open == '-' || isDigit(open))
        return copyNumber();
    if (open == 't' || open == 'f' || open == 'n') {
        const std::string_view word = open == 't' ? "true" : open == 'f' ? "false" : "null";
        if (!readLiteral(word))
            return false;
        m_scratch.append(word);
        return true;
    }
    if (open != '{' && open != '[')
        return fail("unexpected character", m_p);

    const bool object = open == '{';
    const char close = object ? '}' : ']';
    m_scratch.push_back(*m_p++);
    skipWhitespace();
    if (m_p < m_end && *m_p == close) {
        m_scratch.push_back(*m_p++);
        return true;
    }
    for (;;) {
        skipWhitespace();
        if (object) {
            if (m_p == m_end || *m_p != '"')
                return fail(m_p == m_end ? "unexpected end of line" : "expected a key in double quotes", m_p);
            if (!copyString())
                return false;
            skipWhitespace();
            if (m_p == m_end || *m_p != ':')
                return fail("expected ':' after the key", m_p);
            m_scratch.push_back(*m_p++);
            skipWhitespace();
        }
        if (!copyCompact(depth + 1))
            return false;
        skipWhitespace();
        if (m_p < m_end && *m_p == ',') {
            m_scratch.push_back(*m_p++);
            continue;
        }
        if (m_p < m_end && *m_p == close) {
            m_scratch.push_back(*m_p++);
            return true;
        }
        if (m_p == m_end)
            return fail("unexpected end of line", m_p);
        return fail(object ? "expected ',' or '}'" : "expected ',' or ']'", m_p);
    }
}

bool JsonObjectScanner::copyString()
{
    // Checked like readString() but kept as written, escapes included.
    const char *start = m_p++;
    for (;;) {
        while (m_p < m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"' || c == '\\' || c < 0x20)
                break;
            ++m_p;
        }
        if (m_p == m_end)
            return fail("unterminated string", start);
        if (*m_p == '"')
            break;
        if (static_cast<unsigned char>(*m_p) < 0x20)
            return fail("control character in a string", m_p);
        const std::size_t mark = m_scratch.size();
        if (!readEscape())
            return false;
        m_scratch.resize(mark);
    }
    ++m_p;
    m_scratch.append(start, std::size_t(m_p - start));
    return true;
}

bool JsonObjectScanner::copyNumber()
{
    const char *start = m_p;
    if (!scanNumber())
        return false;
    m_scratch.append(start, std::size_t(m_p - start));
    return true;
}

} // namespace kiln::Internal
