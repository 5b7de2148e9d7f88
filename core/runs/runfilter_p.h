#pragma once

// Private to RunFilter's implementation: the tokens and the parser (runfilterparser.cpp), and
// the parsed expression that evaluation (runfilter.cpp) walks. Include it from nowhere else.

#include "runs/runfilter.h"

#include <QString>

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace kiln {
namespace Internal::runfilter {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class TokenType {
    Word,
    Number,
    String,
    Backticked,
    DoubleQuoted,
    Dot,
    Operator,
    LeftParen,
    RightParen,
    Comma,
    End
};

struct Token
{
    TokenType type = TokenType::End;
    QString text; ///< the word, the operator, or a quoted string without its quotes
    int position = 0;
    int length = 0;
    double number = kNaN;
};

enum class Op { Eq, Ne, Lt, Le, Gt, Ge, Like, ILike, NotLike, NotILike, In, NotIn, IsNull, IsNotNull };

struct Value
{
    QString text;
    double number = kNaN;
    bool isNumber = false;
};

/// A parse failure: the 0-based offset it points at and what went wrong.
struct Failure
{
    int position = -1;
    QString message;
};

/// Who a comparison is about: "metrics.auc", "attributes.status".
struct Identifier
{
    RunColumnKind kind = RunColumnKind::Attribute;
    QString key;
    RunAttribute attribute = RunAttribute::Count;
    int position = 0;

    QString name() const { return RunTable::filterName(kind, key); }
};

} // namespace Internal::runfilter

struct RunFilter::Node
{
    enum class Type { And, Or, Compare };
    Type type = Type::Compare;
    std::vector<std::shared_ptr<const Node>> children;
    Internal::runfilter::Identifier identifier;
    Internal::runfilter::Op op = Internal::runfilter::Op::Eq;
    std::vector<Internal::runfilter::Value> values;
};

namespace Internal::runfilter {

using NodePtr = std::shared_ptr<const RunFilter::Node>;

/// Recursive descent over the tokens; the first failure stops it.
class Parser final
{
public:
    explicit Parser(const std::vector<Token> &tokens)
        : m_tokens(tokens)
    { }

    const Token &peek() const { return m_tokens[m_next]; }
    const Token &take() { return m_tokens[m_next++]; }
    bool failed() const { return m_failure.has_value(); }
    const Failure &failure() const { return *m_failure; }

    std::nullptr_t fail(const Token &at, const QString &message)
    {
        if (!m_failure)
            m_failure = Failure {at.position, message};
        return nullptr;
    }

    NodePtr parseExpression();
    std::optional<Identifier> parseIdentifier();

private:
    NodePtr parseAnd();
    /// `operand` (keyword `operand`)*: one node of `type` over them, or the lone operand.
    NodePtr parseChain(RunFilter::Node::Type type, const char *keyword, NodePtr (Parser::*operand)());
    NodePtr parsePrimary();
    NodePtr parseComparison();
    std::optional<Value> parseValue(const Identifier &id, const Token &after);
    bool checkOperator(const Identifier &id, Op op, const Token &opToken);

    const std::vector<Token> &m_tokens;
    std::size_t m_next = 0;
    std::optional<Failure> m_failure;
};

/// Splits an expression into tokens; fails on an unterminated quote or a stray character.
std::optional<Failure> tokenize(const QString &input, std::vector<Token> &tokens);
/// Whether `token` is the word `keyword`, in any case.
bool isKeyword(const Token &token, const char *keyword);
/// The token as an error message quotes it: "'abc'", "the end".
QString describe(const Token &token);

} // namespace Internal::runfilter
} // namespace kiln
