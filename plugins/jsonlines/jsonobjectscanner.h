#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::Internal {

/// Reads one JSON-lines record (a JSON object on one line, already checked to be UTF-8) into
/// its members, each value rendered as a table field: strings unescaped; numbers as integers
/// when they are whole and fit in 64 bits (3.0 is "3"), otherwise in shortest round-trip form;
/// true/false as such; null empty; nested objects and arrays as compact JSON. Views point into
/// the line or into the scanner's scratch buffer and stay valid until the next scan().
/// Reused from record to record, so steady-state scanning allocates nothing.
class JsonObjectScanner final
{
public:
    enum class Result { Object, NotObject, Invalid };

    Result scan(const char *begin, const char *end);

    int size() const { return int(m_members.size()); }
    std::string_view key(int index) const { return view(m_members[size_t(index)].key); }
    std::string_view value(int index) const { return view(m_members[size_t(index)].value); }

    /// Why the line is invalid JSON, and the byte in it where that was found.
    const char *errorReason() const { return m_errorReason; }
    const char *errorPosition() const { return m_errorAt; }

private:
    // A view whose bytes may be in the scratch buffer, which can move while a line is read.
    struct Piece
    {
        const char *data = nullptr; ///< null: at `offset` in the scratch buffer
        std::size_t offset = 0;
        std::size_t size = 0;
    };
    struct Member
    {
        Piece key;
        Piece value;
    };

    std::string_view view(const Piece &piece) const
    {
        return piece.data ? std::string_view(piece.data, piece.size)
                          : std::string_view(m_scratch.data() + piece.offset, piece.size);
    }

    void skipWhitespace();
    bool fail(const char *reason, const char *at);
    bool readString(Piece &out);
    bool readEscape();
    bool scanNumber();
    bool readNumber(Piece &out);
    bool readLiteral(std::string_view word);
    bool readMemberValue(Piece &out);
    bool copyCompact(int depth);
    bool copyString();
    bool copyNumber();

    std::vector<Member> m_members;
    std::string m_scratch;
    const char *m_p = nullptr;
    const char *m_end = nullptr;
    bool m_droppedSpace = false;
    const char *m_errorReason = nullptr;
    const char *m_errorAt = nullptr;
};

} // namespace kiln::Internal
