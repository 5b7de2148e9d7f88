#include "runs/runfilter.h"
#include "runs/runfilter_p.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace kiln {

using Internal::runfilter::describe;
using Internal::runfilter::Failure;
using Internal::runfilter::Identifier;
using Internal::runfilter::isKeyword;
using Internal::runfilter::NodePtr;
using Internal::runfilter::Op;
using Internal::runfilter::Parser;
using Internal::runfilter::Token;
using Internal::runfilter::tokenize;
using Internal::runfilter::TokenType;
using Internal::runfilter::Value;

namespace {

QString mlflowStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued:
        return QStringLiteral("SCHEDULED");
    case RunStatus::Cancelled:
        return QStringLiteral("KILLED");
    case RunStatus::Running:
    case RunStatus::Finished:
    case RunStatus::Failed:
    case RunStatus::Interrupted:
        break;
    }
    return runStatusName(status).toUpper();
}

/// SQL LIKE: % any run of characters, _ one character. The usual shapes ('abc', 'abc%',
/// '%abc', '%abc%') are a compare, startsWith, endsWith or contains; the rest a backtracking
/// match.
class LikePattern
{
public:
    LikePattern(const QString &pattern, Qt::CaseSensitivity cs)
        : m_pattern(pattern)
        , m_cs(cs)
    {
        qsizetype first = 0;
        qsizetype last = pattern.size();
        while (first < last && pattern.at(first) == u'%')
            ++first;
        while (last > first && pattern.at(last - 1) == u'%')
            --last;
        m_literal = pattern.mid(first, last - first);
        if (m_literal.contains(u'%') || m_literal.contains(u'_'))
            m_shape = Shape::General;
        else if (first > 0)
            m_shape = last < pattern.size() ? Shape::Contains : Shape::Suffix;
        else
            m_shape = last < pattern.size() ? Shape::Prefix : Shape::Exact;
    }

    bool matches(QStringView text) const
    {
        switch (m_shape) {
        case Shape::Exact:
            return text.compare(m_literal, m_cs) == 0;
        case Shape::Prefix:
            return text.startsWith(m_literal, m_cs);
        case Shape::Suffix:
            return text.endsWith(m_literal, m_cs);
        case Shape::Contains:
            return text.contains(m_literal, m_cs);
        case Shape::General:
            break;
        }
        return matchGeneral(text);
    }

private:
    enum class Shape { Exact, Prefix, Suffix, Contains, General };

    bool matchGeneral(QStringView text) const
    {
        const QStringView pattern(m_pattern);
        const auto same = [this](QChar a, QChar b) {
            return a == b || (m_cs == Qt::CaseInsensitive && a.toCaseFolded() == b.toCaseFolded());
        };
        qsizetype t = 0;
        qsizetype p = 0;
        qsizetype star = -1;
        qsizetype starText = 0;
        while (t < text.size()) {
            if (p < pattern.size() && pattern[p] == u'%') {
                star = p++;
                starText = t;
            } else if (p < pattern.size() && (pattern[p] == u'_' || same(pattern[p], text[t]))) {
                ++p;
                ++t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.size() && pattern[p] == u'%')
            ++p;
        return p == pattern.size();
    }

    QString m_pattern;
    QString m_literal; ///< the pattern without its leading and trailing %
    Qt::CaseSensitivity m_cs;
    Shape m_shape = Shape::General;
};

int columnOf(const Identifier &id, const RunTable &table)
{
    if (id.kind == RunColumnKind::Attribute)
        return int(id.attribute);
    return table.findColumn(id.kind, id.key, MetricStat::Last);
}

bool numberMatches(Op op, double cell, const std::vector<Value> &values)
{
    const double v = values.front().number;
    switch (op) {
    case Op::Eq:
        return cell == v;
    case Op::Ne:
        return cell != v;
    case Op::Lt:
        return cell < v;
    case Op::Le:
        return cell <= v;
    case Op::Gt:
        return cell > v;
    case Op::Ge:
        return cell >= v;
    case Op::In:
    case Op::NotIn: {
        const bool found
            = std::any_of(values.begin(), values.end(), [cell](const Value &value) { return value.number == cell; });
        return found == (op == Op::In);
    }
    case Op::Like:
    case Op::ILike:
    case Op::NotLike:
    case Op::NotILike:
    case Op::IsNull:
    case Op::IsNotNull:
        break;
    }
    return false;
}

/// Whether one distinct text value (and its number, NaN when it is none) passes.
bool textMatches(Op op, const QString &text, double number, const std::vector<Value> &values, bool status,
                 const LikePattern *like)
{
    const auto equals
        = [&text, number](const Value &value) { return value.isNumber ? number == value.number : text == value.text; };
    const Value &v = values.front();
    const auto ordered = [&](auto compare) {
        if (v.isNumber)
            return !std::isnan(number) && compare(number, v.number);
        return compare(text.compare(v.text), 0);
    };
    switch (op) {
    case Op::Eq:
        return equals(v);
    case Op::Ne:
        return !equals(v);
    case Op::Lt:
        return ordered([](auto a, auto b) { return a < b; });
    case Op::Le:
        return ordered([](auto a, auto b) { return a <= b; });
    case Op::Gt:
        return ordered([](auto a, auto b) { return a > b; });
    case Op::Ge:
        return ordered([](auto a, auto b) { return a >= b; });
    case Op::Like:
    case Op::ILike:
    case Op::NotLike:
    case Op::NotILike: {
        bool match = like->matches(text);
        if (status && !match) {
            if (const auto s = runStatusFromName(text))
                match = like->matches(mlflowStatusName(*s));
        }
        return match == (op == Op::Like || op == Op::ILike);
    }
    case Op::In:
        return std::any_of(values.begin(), values.end(), equals);
    case Op::NotIn:
        return std::none_of(values.begin(), values.end(), equals);
    case Op::IsNull:
    case Op::IsNotNull:
        break;
    }
    return false;
}

void evaluate(const RunFilter::Node &node, const RunTable &table, std::vector<std::uint8_t> &out)
{
    const auto rows = std::size_t(table.rowCount());
    if (node.type != RunFilter::Node::Type::Compare) {
        const bool all = node.type == RunFilter::Node::Type::And;
        evaluate(*node.children.front(), table, out);
        std::vector<std::uint8_t> part(rows);
        for (std::size_t c = 1; c < node.children.size(); ++c) {
            evaluate(*node.children[c], table, part);
            for (std::size_t r = 0; r < rows; ++r)
                out[r] = all ? (out[r] & part[r]) : (out[r] | part[r]);
        }
        return;
    }
    out.assign(rows, 0);
    const int columnIndex = columnOf(node.identifier, table);
    if (columnIndex < 0) {
        // No run has the key: only IS NULL matches (every run).
        std::fill(out.begin(), out.end(), std::uint8_t(node.op == Op::IsNull));
        return;
    }
    const RunTable::Column &column = table.column(columnIndex);
    if (node.op == Op::IsNull || node.op == Op::IsNotNull) {
        const bool wantMissing = node.op == Op::IsNull;
        for (std::size_t r = 0; r < rows; ++r)
            out[r] = std::uint8_t(column.isMissing(int(r)) == wantMissing);
        return;
    }
    if (!column.text) {
        for (std::size_t r = 0; r < rows; ++r) {
            const double cell = column.numbers[r];
            out[r] = std::uint8_t(!std::isnan(cell) && numberMatches(node.op, cell, node.values));
        }
        return;
    }
    // Each distinct value is judged once; the rows only look their code up.
    const bool status = column.kind == RunColumnKind::Attribute && column.attribute == RunAttribute::Status;
    std::optional<LikePattern> like;
    if (node.op == Op::Like || node.op == Op::ILike || node.op == Op::NotLike || node.op == Op::NotILike) {
        // A status matches in any case, as its MLflow name or Kiln's.
        const bool insensitive = status || node.op == Op::ILike || node.op == Op::NotILike;
        like.emplace(node.values.front().text, insensitive ? Qt::CaseInsensitive : Qt::CaseSensitive);
    }
    std::vector<std::uint8_t> passes(std::size_t(column.dictionary.size()));
    for (std::size_t code = 0; code < passes.size(); ++code)
        passes[code]
            = std::uint8_t(textMatches(node.op, column.dictionary.at(qsizetype(code)), column.dictionaryNumbers[code],
                                       node.values, status, like ? &*like : nullptr));
    for (std::size_t r = 0; r < rows; ++r) {
        const qint32 code = column.codes[r];
        out[r] = code < 0 ? 0 : passes[std::size_t(code)];
    }
}

void collectUnknown(const RunFilter::Node &node, const RunTable &table, QStringList &keys)
{
    for (const auto &child : node.children)
        collectUnknown(*child, table, keys);
    if (node.type != RunFilter::Node::Type::Compare || node.identifier.kind == RunColumnKind::Attribute)
        return;
    if (columnOf(node.identifier, table) < 0) {
        const QString name = node.identifier.name();
        if (!keys.contains(name))
            keys << name;
    }
}

} // namespace

RunFilter::RunFilter() = default;

RunFilter RunFilter::parse(const QString &expression)
{
    RunFilter filter;
    filter.m_expression = expression;
    if (expression.trimmed().isEmpty())
        return filter;
    std::vector<Token> tokens;
    if (auto failure = tokenize(expression, tokens)) {
        filter.m_errorPosition = failure->position;
        filter.m_errorMessage = failure->message;
        return filter;
    }
    Parser parser(tokens);
    NodePtr root = parser.parseExpression();
    if (root && parser.peek().type != TokenType::End)
        parser.fail(parser.peek(),
                    QStringLiteral("expected AND, OR or the end, found %1").arg(describe(parser.peek())));
    if (parser.failed()) {
        filter.m_errorPosition = parser.failure().position;
        filter.m_errorMessage = parser.failure().message;
        return filter;
    }
    filter.m_root = std::move(root);
    return filter;
}

bool RunFilter::isEmpty() const
{
    return isValid() && !m_root;
}

QString RunFilter::errorText() const
{
    if (isValid())
        return {};
    return QStringLiteral("column %1: %2").arg(m_errorPosition + 1).arg(m_errorMessage);
}

std::vector<int> RunFilter::matchingRows(const RunTable &table) const
{
    std::vector<int> rows;
    if (!isValid())
        return rows;
    if (!m_root) {
        rows.resize(std::size_t(table.rowCount()));
        for (std::size_t r = 0; r < rows.size(); ++r)
            rows[r] = int(r);
        return rows;
    }
    std::vector<std::uint8_t> matches;
    evaluate(*m_root, table, matches);
    for (std::size_t r = 0; r < matches.size(); ++r) {
        if (matches[r])
            rows.push_back(int(r));
    }
    return rows;
}

QStringList RunFilter::unknownKeys(const RunTable &table) const
{
    QStringList keys;
    if (m_root)
        collectUnknown(*m_root, table, keys);
    return keys;
}

Expected<RunOrder> parseRunOrder(const QString &expression, const RunTable &table)
{
    const auto syntax
        = [](const Failure &f) { return Error {QStringLiteral("column %1: %2").arg(f.position + 1).arg(f.message)}; };
    std::vector<Token> tokens;
    if (auto failure = tokenize(expression, tokens))
        return syntax(*failure);
    Parser parser(tokens);
    std::optional<Identifier> id = parser.parseIdentifier();
    if (!id)
        return syntax(parser.failure());
    MetricStat stat = MetricStat::Last;
    for (const auto &[keyword, value] : {std::pair {"min", MetricStat::Min}, std::pair {"max", MetricStat::Max},
                                         std::pair {"last", MetricStat::Last}}) {
        if (!isKeyword(parser.peek(), keyword))
            continue;
        if (id->kind != RunColumnKind::Metric)
            return syntax(
                {parser.peek().position,
                 QStringLiteral("%1 applies to metrics, not to %2").arg(parser.peek().text.toUpper(), id->name())});
        stat = value;
        parser.take();
        break;
    }
    RunOrder order;
    if (isKeyword(parser.peek(), "desc")) {
        order.order = Qt::DescendingOrder;
        parser.take();
    } else if (isKeyword(parser.peek(), "asc")) {
        parser.take();
    }
    if (parser.peek().type != TokenType::End)
        return syntax({parser.peek().position,
                       QStringLiteral("expected ASC, DESC or the end, found %1").arg(describe(parser.peek()))});
    order.column
        = id->kind == RunColumnKind::Attribute ? int(id->attribute) : table.findColumn(id->kind, id->key, stat);
    if (order.column < 0)
        return Error {QStringLiteral("no run has %1").arg(RunTable::filterName(id->kind, id->key))};
    return order;
}

} // namespace kiln
