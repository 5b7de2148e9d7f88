// RunFilter's language: the tokenizer, the names it knows and the recursive-descent parser
// that turns an expression into RunFilter::Node trees.
#include "runs/runfilter_p.h"

#include <QDateTime>

#include <array>
#include <optional>

namespace kiln::Internal::runfilter {
namespace {

bool isWordChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_';
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

} // namespace

/// Splits an expression into tokens; fails on an unterminated quote or a stray character.
std::optional<Failure> tokenize(const QString &input, std::vector<Token> &tokens)
{
    const auto size = int(input.size());
    int i = 0;
    while (i < size) {
        const QChar c = input.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token token;
        token.position = i;
        const bool afterName = !tokens.empty() && tokens.back().position + tokens.back().length == i
            && (tokens.back().type == TokenType::Word || tokens.back().type == TokenType::Backticked
                || tokens.back().type == TokenType::DoubleQuoted);
        const bool afterDot = !tokens.empty() && tokens.back().type == TokenType::Dot
            && tokens.back().position + tokens.back().length == i;
        const bool signedNumber = (c == u'-' || c == u'+') && i + 1 < size
            && (isDigit(input.at(i + 1)) || (input.at(i + 1) == u'.' && i + 2 < size && isDigit(input.at(i + 2))));
        if (c == u'.' && afterName) {
            token.type = TokenType::Dot;
            ++i;
        } else if ((isWordChar(c) && !isDigit(c)) || (afterDot && isWordChar(c))) {
            // After a dot a key may start with a digit: params.2nd_layer.
            token.type = TokenType::Word;
            while (i < size && isWordChar(input.at(i)))
                ++i;
            token.text = input.mid(token.position, i - token.position);
        } else if (isDigit(c) || c == u'.' || signedNumber) {
            token.type = TokenType::Number;
            if (!isDigit(c) && c != u'.')
                ++i;
            while (i < size && isDigit(input.at(i)))
                ++i;
            if (i < size && input.at(i) == u'.') {
                ++i;
                while (i < size && isDigit(input.at(i)))
                    ++i;
            }
            if (i < size && (input.at(i) == u'e' || input.at(i) == u'E')) {
                ++i;
                if (i < size && (input.at(i) == u'+' || input.at(i) == u'-'))
                    ++i;
                while (i < size && isDigit(input.at(i)))
                    ++i;
            }
            while (i < size && (isWordChar(input.at(i)) || input.at(i) == u'.'))
                ++i;
            token.text = input.mid(token.position, i - token.position);
            bool ok = false;
            token.number = token.text.toDouble(&ok);
            if (!ok)
                return Failure {token.position, QStringLiteral("'%1' is not a number").arg(token.text)};
        } else if (c == u'\'' || c == u'"' || c == u'`') {
            token.type = c == u'\'' ? TokenType::String : c == u'"' ? TokenType::DoubleQuoted : TokenType::Backticked;
            ++i;
            for (;;) {
                if (i >= size)
                    return Failure {token.position,
                                    QStringLiteral("unterminated %1: add the closing %2")
                                        .arg(c == u'`' ? QStringLiteral("name") : QStringLiteral("string"))
                                        .arg(c)};
                if (input.at(i) == c) {
                    // A doubled quote stands for one, as in SQL: 'it''s'.
                    if (i + 1 < size && input.at(i + 1) == c) {
                        token.text += c;
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                token.text += input.at(i);
                ++i;
            }
        } else if (c == u'=' || c == u'<' || c == u'>' || c == u'!') {
            token.type = TokenType::Operator;
            ++i;
            if (i < size && (input.at(i) == u'=' || (c == u'<' && input.at(i) == u'>')))
                ++i;
            token.text = input.mid(token.position, i - token.position);
            if (token.text == u"!")
                return Failure {token.position, QStringLiteral("unexpected '!': write != for 'not equal'")};
            if (token.text == u"==")
                token.text = QStringLiteral("=");
        } else if (c == u'(' || c == u')' || c == u',') {
            token.type = c == u'(' ? TokenType::LeftParen : c == u')' ? TokenType::RightParen : TokenType::Comma;
            token.text = c;
            ++i;
        } else {
            return Failure {i, QStringLiteral("unexpected character '%1'").arg(c)};
        }
        token.length = i - token.position;
        tokens.push_back(std::move(token));
    }
    Token end;
    end.position = size;
    tokens.push_back(end);
    return std::nullopt;
}

namespace {

struct AttributeName
{
    const char16_t *name;
    RunAttribute attribute;
};

// MLflow's names first, then Kiln's and a few aliases.
constexpr std::array kAttributeNames = {
    AttributeName {u"run_name", RunAttribute::Name},
    AttributeName {u"status", RunAttribute::Status},
    AttributeName {u"run_id", RunAttribute::Uuid},
    AttributeName {u"start_time", RunAttribute::Started},
    AttributeName {u"end_time", RunAttribute::Ended},
    AttributeName {u"id", RunAttribute::Id},
    AttributeName {u"experiment", RunAttribute::Experiment},
    AttributeName {u"source", RunAttribute::Source},
    AttributeName {u"dataset", RunAttribute::Dataset},
    AttributeName {u"parent_id", RunAttribute::Parent},
    AttributeName {u"created", RunAttribute::Created},
    AttributeName {u"duration", RunAttribute::Duration},
    AttributeName {u"name", RunAttribute::Name},
    AttributeName {u"uuid", RunAttribute::Uuid},
};

std::optional<RunAttribute> attributeNamed(const QString &name)
{
    for (const AttributeName &a : kAttributeNames) {
        if (name.compare(QStringView(a.name), Qt::CaseInsensitive) == 0)
            return a.attribute;
    }
    return std::nullopt;
}

QString attributeList()
{
    QStringList names;
    // The last two entries are aliases; the message lists each attribute once.
    for (std::size_t i = 0; i + 2 < kAttributeNames.size(); ++i)
        names << QString::fromUtf16(kAttributeNames[i].name);
    return names.join(QLatin1String(", "));
}

std::optional<RunColumnKind> prefixNamed(const QString &word)
{
    const QString w = word.toLower();
    if (w == u"metrics" || w == u"metric" || w == u"m")
        return RunColumnKind::Metric;
    if (w == u"params" || w == u"param" || w == u"parameters" || w == u"parameter" || w == u"p")
        return RunColumnKind::Param;
    if (w == u"tags" || w == u"tag" || w == u"t")
        return RunColumnKind::Tag;
    if (w == u"attributes" || w == u"attribute" || w == u"attr" || w == u"run")
        return RunColumnKind::Attribute;
    return std::nullopt;
}

/// Whether the column compares as a number: a metric or a numeric attribute.
bool isNumeric(const Identifier &id)
{
    if (id.kind != RunColumnKind::Attribute)
        return id.kind == RunColumnKind::Metric;
    const RunAttribute a = id.attribute;
    return a == RunAttribute::Id || a == RunAttribute::Parent || a == RunAttribute::Created
        || a == RunAttribute::Started || a == RunAttribute::Ended || a == RunAttribute::Duration;
}

/// MLflow's run statuses (uppercase) and Kiln's, in any case.
std::optional<RunStatus> statusNamed(const QString &name)
{
    const QString lower = name.trimmed().toLower();
    if (auto status = runStatusFromName(lower))
        return status;
    if (lower == u"scheduled")
        return RunStatus::Queued;
    if (lower == u"killed" || lower == u"canceled")
        return RunStatus::Cancelled;
    return std::nullopt;
}

} // namespace

bool isKeyword(const Token &token, const char *keyword)
{
    return token.type == TokenType::Word && token.text.compare(QLatin1String(keyword), Qt::CaseInsensitive) == 0;
}

QString describe(const Token &token)
{
    switch (token.type) {
    case TokenType::End:
        return QStringLiteral("the end");
    case TokenType::String:
        return u'\'' + token.text + u'\'';
    case TokenType::DoubleQuoted:
        return u'"' + token.text + u'"';
    case TokenType::Backticked:
        return u'`' + token.text + u'`';
    case TokenType::Word:
    case TokenType::Number:
    case TokenType::Dot:
    case TokenType::Operator:
    case TokenType::LeftParen:
    case TokenType::RightParen:
    case TokenType::Comma:
        break;
    }
    return u'\'' + token.text + u'\'';
}

NodePtr Parser::parseExpression()
{
    return parseChain(RunFilter::Node::Type::Or, "or", &Parser::parseAnd);
}

NodePtr Parser::parseAnd()
{
    return parseChain(RunFilter::Node::Type::And, "and", &Parser::parsePrimary);
}

NodePtr Parser::parseChain(RunFilter::Node::Type type, const char *keyword, NodePtr (Parser::*operand)())
{
    NodePtr left = (this->*operand)();
    if (!left)
        return nullptr;
    if (!isKeyword(peek(), keyword))
        return left;
    auto node = std::make_shared<RunFilter::Node>();
    node->type = type;
    node->children.push_back(std::move(left));
    while (isKeyword(peek(), keyword)) {
        take();
        NodePtr right = (this->*operand)();
        if (!right)
            return nullptr;
        node->children.push_back(std::move(right));
    }
    return node;
}

NodePtr Parser::parsePrimary()
{
    if (peek().type != TokenType::LeftParen)
        return parseComparison();
    const Token &open = take();
    NodePtr inner = parseExpression();
    if (!inner)
        return nullptr;
    if (peek().type != TokenType::RightParen)
        return fail(peek(),
                    QStringLiteral("expected ')' to close the '(' at column %1, found %2")
                        .arg(open.position + 1)
                        .arg(describe(peek())));
    take();
    return inner;
}

std::optional<Identifier> Parser::parseIdentifier()
{
    const Token &first = peek();
    if (first.type == TokenType::End) {
        fail(first, QStringLiteral("expected a column such as metrics.auc, params.max_depth or attributes.status"));
        return std::nullopt;
    }
    if (first.type != TokenType::Word || isKeyword(first, "and") || isKeyword(first, "or") || isKeyword(first, "not")) {
        fail(
            first,
            QStringLiteral("expected a column such as metrics.auc or params.max_depth, found %1").arg(describe(first)));
        return std::nullopt;
    }
    take();
    Identifier id;
    id.position = first.position;
    if (peek().type != TokenType::Dot) {
        // MLflow reads a bare name as an attribute: status = 'FINISHED'.
        const auto attribute = attributeNamed(first.text);
        if (!attribute) {
            fail(first,
                 QStringLiteral("unknown column '%1': write metrics.%1, params.%1, tags.%1 or an attribute (%2)")
                     .arg(first.text, attributeList()));
            return std::nullopt;
        }
        id.attribute = *attribute;
        id.key = first.text.toLower();
        return id;
    }
    const auto kind = prefixNamed(first.text);
    if (!kind) {
        fail(first, QStringLiteral("unknown prefix '%1': use metrics., params., tags. or attributes.").arg(first.text));
        return std::nullopt;
    }
    id.kind = *kind;
    take(); // the dot
    const Token &keyToken = peek();
    if (keyToken.type == TokenType::Backticked || keyToken.type == TokenType::DoubleQuoted) {
        take();
        id.key = keyToken.text;
    } else if (keyToken.type == TokenType::Word) {
        // MLflow splits at the first dot only: metrics.val.loss is the metric "val.loss".
        take();
        id.key = keyToken.text;
        while (peek().type == TokenType::Dot && m_tokens[m_next + 1].type == TokenType::Word
               && m_tokens[m_next + 1].position == peek().position + 1) {
            take();
            id.key += u'.' + take().text;
        }
    } else {
        fail(keyToken, QStringLiteral("expected a name after '%1.'").arg(first.text));
        return std::nullopt;
    }
    if (id.key.isEmpty()) {
        fail(keyToken, QStringLiteral("empty name after '%1.'").arg(first.text));
        return std::nullopt;
    }
    if (id.kind == RunColumnKind::Attribute) {
        const auto attribute = attributeNamed(id.key);
        if (!attribute) {
            fail(keyToken, QStringLiteral("unknown attribute '%1': use %2").arg(id.key, attributeList()));
            return std::nullopt;
        }
        id.attribute = *attribute;
        id.key = id.key.toLower();
    }
    return id;
}

bool Parser::checkOperator(const Identifier &id, Op op, const Token &opToken)
{
    const bool like = op == Op::Like || op == Op::ILike || op == Op::NotLike || op == Op::NotILike;
    if (isNumeric(id) && like) {
        fail(opToken, QStringLiteral("%1 compares text; %2 is a number").arg(opToken.text.toUpper(), id.name()));
        return false;
    }
    const bool ordering = op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge;
    if (id.kind == RunColumnKind::Attribute && id.attribute == RunAttribute::Status && ordering) {
        fail(opToken, QStringLiteral("a status compares with =, !=, IN or LIKE, not %1").arg(opToken.text));
        return false;
    }
    return true;
}

std::optional<Value> Parser::parseValue(const Identifier &id, const Token &after)
{
    const Token &token = peek();
    Value value;
    if (token.type == TokenType::Number) {
        value.isNumber = true;
        value.number = token.number;
        value.text = token.text;
    } else if (token.type == TokenType::String || token.type == TokenType::DoubleQuoted) {
        value.text = token.text;
    } else if (token.type == TokenType::Word) {
        fail(token,
             QStringLiteral("expected a value after %1: quote text, as in '%2'").arg(describe(after), token.text));
        return std::nullopt;
    } else {
        fail(token, QStringLiteral("expected a value after %1").arg(describe(after)));
        return std::nullopt;
    }
    take();
    if (id.kind == RunColumnKind::Attribute && id.attribute == RunAttribute::Status) {
        const auto status = statusNamed(value.text);
        if (!status) {
            fail(token,
                 QStringLiteral("unknown status %1: use FINISHED, RUNNING, FAILED, KILLED, SCHEDULED or "
                                "interrupted")
                     .arg(describe(token)));
            return std::nullopt;
        }
        value.text = runStatusName(*status);
        value.isNumber = false;
        return value;
    }
    if (isNumeric(id) && !value.isNumber) {
        bool ok = false;
        value.number = value.text.toDouble(&ok);
        const bool time = id.kind == RunColumnKind::Attribute
            && (id.attribute == RunAttribute::Created || id.attribute == RunAttribute::Started
                || id.attribute == RunAttribute::Ended);
        if (!ok && time) {
            // A time may be given as ISO 8601: attributes.start_time > '2024-05-01'.
            const QDateTime when = QDateTime::fromString(value.text, Qt::ISODateWithMs);
            ok = when.isValid();
            value.number = ok ? double(when.toMSecsSinceEpoch()) : kNaN;
        }
        if (!ok) {
            fail(token,
                 QStringLiteral("%1 is a number%2: compare it with a number, not %3")
                     .arg(id.name(), time ? QStringLiteral(" (ms since 1970) or a date") : QString(), describe(token)));
            return std::nullopt;
        }
        value.isNumber = true;
    }
    return value;
}

NodePtr Parser::parseComparison()
{
    std::optional<Identifier> id = parseIdentifier();
    if (!id)
        return nullptr;
    auto node = std::make_shared<RunFilter::Node>();
    node->identifier = *id;
    const Token &opToken = peek();
    if (opToken.type == TokenType::Operator) {
        take();
        const QString &o = opToken.text;
        node->op = o == u"="           ? Op::Eq
            : o == u"!=" || o == u"<>" ? Op::Ne
            : o == u"<"                ? Op::Lt
            : o == u"<="               ? Op::Le
            : o == u">"                ? Op::Gt
                                       : Op::Ge;
        if (!checkOperator(*id, node->op, opToken))
            return nullptr;
        auto value = parseValue(*id, opToken);
        if (!value)
            return nullptr;
        node->values.push_back(std::move(*value));
        return node;
    }
    const bool negated = isKeyword(opToken, "not");
    if (negated)
        take();
    const Token &keyword = peek();
    if (isKeyword(keyword, "like") || isKeyword(keyword, "ilike")) {
        take();
        const bool insensitive = isKeyword(keyword, "ilike");
        node->op = negated ? (insensitive ? Op::NotILike : Op::NotLike) : (insensitive ? Op::ILike : Op::Like);
        if (!checkOperator(*id, node->op, keyword))
            return nullptr;
        if (peek().type != TokenType::String && peek().type != TokenType::DoubleQuoted)
            return fail(
                peek(),
                QStringLiteral("expected a quoted pattern after %1, as in 'vision%'").arg(keyword.text.toUpper()));
        if (id->kind == RunColumnKind::Attribute && id->attribute == RunAttribute::Status) {
            // Patterns match status names as they are written, not one status.
            node->values.push_back({take().text, kNaN, false});
            return node;
        }
        auto value = parseValue(*id, keyword);
        if (!value)
            return nullptr;
        node->values.push_back(std::move(*value));
        return node;
    }
    if (isKeyword(keyword, "in")) {
        take();
        node->op = negated ? Op::NotIn : Op::In;
        if (peek().type != TokenType::LeftParen)
            return fail(peek(), QStringLiteral("expected '(' after IN, as in IN ('a', 'b')"));
        Token previous = take();
        for (;;) {
            auto value = parseValue(*id, previous);
            if (!value)
                return nullptr;
            node->values.push_back(std::move(*value));
            if (peek().type == TokenType::RightParen) {
                take();
                return node;
            }
            if (peek().type != TokenType::Comma)
                return fail(peek(),
                            QStringLiteral("expected ',' or ')' in the IN list, found %1").arg(describe(peek())));
            previous = take();
        }
    }
    if (negated)
        return fail(keyword, QStringLiteral("expected IN or LIKE after NOT, found %1").arg(describe(keyword)));
    if (isKeyword(keyword, "is")) {
        take();
        const bool isNot = isKeyword(peek(), "not");
        if (isNot)
            take();
        if (!isKeyword(peek(), "null"))
            return fail(peek(),
                        QStringLiteral("expected NULL after IS%1").arg(isNot ? QStringLiteral(" NOT") : QString()));
        take();
        node->op = isNot ? Op::IsNotNull : Op::IsNull;
        return node;
    }
    return fail(keyword,
                QStringLiteral("expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS) after %1, found %2")
                    .arg(id->name(), describe(keyword)));
}

} // namespace kiln::Internal::runfilter
