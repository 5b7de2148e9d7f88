#include "runs/runtable.h"
#include "runs/runtable_p.h"

#include "models/runformat.h"

#include <QDateTime>

#include <algorithm>
#include <array>
#include <cmath>

namespace kiln {

using Internal::runtable::finishText;
using Internal::runtable::keyLess;
using Internal::runtable::kNaN;
using Internal::runtable::textColumn;
using Internal::runtable::TextInterner;

namespace {

struct AttributeInfo
{
    QLatin1String filterName;
    QLatin1String label;
    bool text;
};

// Indexed by RunAttribute.
const std::array<AttributeInfo, std::size_t(RunAttribute::Count)> kAttributes = {{
    {QLatin1String("id"), QLatin1String("Id"), false},
    {QLatin1String("run_name"), QLatin1String("Name"), true},
    {QLatin1String("experiment"), QLatin1String("Experiment"), true},
    {QLatin1String("status"), QLatin1String("Status"), true},
    {QLatin1String("source"), QLatin1String("Source"), true},
    {QLatin1String("dataset"), QLatin1String("Dataset"), true},
    {QLatin1String("parent_id"), QLatin1String("Parent"), false},
    {QLatin1String("created"), QLatin1String("Created"), false},
    {QLatin1String("start_time"), QLatin1String("Started"), false},
    {QLatin1String("end_time"), QLatin1String("Ended"), false},
    {QLatin1String("duration"), QLatin1String("Duration"), false},
    {QLatin1String("run_id"), QLatin1String("Run ID"), true},
}};

bool isTime(RunAttribute attribute)
{
    return attribute == RunAttribute::Created || attribute == RunAttribute::Started || attribute == RunAttribute::Ended;
}

bool isPlainKey(const QString &key)
{
    if (key.isEmpty())
        return false;
    return std::all_of(key.begin(), key.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_';
    });
}

RunTable::Column numberColumn(RunColumnKind kind, const QString &key, MetricStat stat, int rows)
{
    RunTable::Column column;
    column.kind = kind;
    column.key = key;
    column.stat = stat;
    column.numbers.assign(std::size_t(rows), kNaN);
    return column;
}

/// Drops dictionary entries no row uses any more (a merge replaced them), keeping the order.
void compactText(RunTable::Column &column)
{
    std::vector<int> uses(std::size_t(column.dictionary.size()), 0);
    for (qint32 code : column.codes) {
        if (code >= 0)
            ++uses[std::size_t(code)];
    }
    if (std::find(uses.begin(), uses.end(), 0) == uses.end())
        return;
    std::vector<int> remap(uses.size(), -1);
    QStringList dictionary;
    std::vector<double> numbers;
    for (std::size_t i = 0; i < uses.size(); ++i) {
        if (uses[i] == 0)
            continue;
        remap[i] = int(dictionary.size());
        dictionary.append(column.dictionary.at(qsizetype(i)));
        numbers.push_back(column.dictionaryNumbers[i]);
    }
    for (qint32 &code : column.codes) {
        if (code >= 0)
            code = remap[std::size_t(code)];
    }
    column.dictionary = std::move(dictionary);
    column.dictionaryNumbers = std::move(numbers);
}

} // namespace

bool Internal::runtable::keyLess(const QString &a, const QString &b)
{
    // Natural order, as a person reads names: "param_2" before "param_10", "run 9" before
    // "run 10"; letters without regard to case, then case decides a tie.
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < a.size() && j < b.size()) {
        if (a.at(i).isDigit() && b.at(j).isDigit()) {
            qsizetype endA = i;
            qsizetype endB = j;
            while (endA < a.size() && a.at(endA).isDigit())
                ++endA;
            while (endB < b.size() && b.at(endB).isDigit())
                ++endB;
            qsizetype startA = i;
            qsizetype startB = j;
            while (startA + 1 < endA && a.at(startA) == u'0')
                ++startA;
            while (startB + 1 < endB && b.at(startB) == u'0')
                ++startB;
            if (endA - startA != endB - startB)
                return endA - startA < endB - startB;
            const int digits
                = QStringView(a).sliced(startA, endA - startA).compare(QStringView(b).sliced(startB, endB - startB));
            if (digits != 0)
                return digits < 0;
            i = endA;
            j = endB;
            continue;
        }
        const char16_t x = a.at(i).toCaseFolded().unicode();
        const char16_t y = b.at(j).toCaseFolded().unicode();
        if (x != y)
            return x < y;
        ++i;
        ++j;
    }
    if (a.size() - i != b.size() - j)
        return a.size() - i < b.size() - j;
    return a < b;
}

std::shared_ptr<const RunTable> RunTableBuilder::merge(const RunTable &base, const RunTable &update)
{
    auto table = std::make_shared<RunTable>(base);
    std::vector<int> target(std::size_t(update.rowCount()));
    std::vector<int> replaced;
    for (int r = 0; r < update.rowCount(); ++r) {
        const qint64 id = update.runId(r);
        int row = base.rowOfRun(id);
        if (row >= 0) {
            table->m_statuses[std::size_t(row)] = update.status(r);
            replaced.push_back(row);
        } else {
            row = table->rowCount();
            table->m_runIds.push_back(id);
            table->m_statuses.push_back(update.status(r));
            table->m_rowOfRun.insert(id, row);
        }
        target[std::size_t(r)] = row;
    }
    const auto rows = std::size_t(table->rowCount());
    const auto copyCells = [&target](const RunTable::Column &from, RunTable::Column &to) {
        if (!to.text) {
            for (std::size_t r = 0; r < target.size(); ++r)
                to.numbers[std::size_t(target[r])] = from.numbers[r];
            return;
        }
        // Each distinct value of the update is looked up once in this table's dictionary.
        TextInterner index;
        bool indexed = false;
        std::vector<int> codeMap(std::size_t(from.dictionary.size()), -2);
        for (std::size_t r = 0; r < target.size(); ++r) {
            const qint32 code = from.codes[r];
            qint32 &cell = to.codes[std::size_t(target[r])];
            if (code < 0) {
                cell = -1;
                continue;
            }
            int &mapped = codeMap[std::size_t(code)];
            if (mapped == -2) {
                if (!indexed) {
                    index.index(to.dictionary);
                    indexed = true;
                }
                mapped = index.intern(to.dictionary, from.dictionary.at(code));
            }
            cell = mapped;
        }
    };
    std::vector<bool> matched(std::size_t(update.columnCount()), false);
    for (RunTable::Column &column : table->m_columns) {
        if (column.text)
            column.codes.resize(rows, -1);
        else
            column.numbers.resize(rows, kNaN);
        const int from = update.findColumn(column.kind, column.key, column.stat);
        if (from < 0) {
            // A re-read run without this key has lost it.
            for (int row : replaced) {
                if (column.text)
                    column.codes[std::size_t(row)] = -1;
                else
                    column.numbers[std::size_t(row)] = kNaN;
            }
            continue;
        }
        matched[std::size_t(from)] = true;
        column.stepSeries = column.stepSeries || update.column(from).stepSeries;
        copyCells(update.column(from), column);
    }
    for (int from = 0; from < update.columnCount(); ++from) {
        if (matched[std::size_t(from)])
            continue;
        const RunTable::Column &source = update.column(from);
        RunTable::Column column = source.text ? textColumn(source.kind, source.key, int(rows))
                                              : numberColumn(source.kind, source.key, source.stat, int(rows));
        column.attribute = source.attribute;
        column.stepSeries = source.stepSeries;
        copyCells(source, column);
        table->m_columns.push_back(std::move(column));
    }
    for (RunTable::Column &column : table->m_columns) {
        if (!column.text)
            continue;
        finishText(column);
        compactText(column);
        finishText(column);
    }
    table->indexColumns();
    return table;
}

RunTable::RunTable()
{
    m_columns.reserve(std::size_t(RunAttribute::Count));
    for (std::size_t a = 0; a < kAttributes.size(); ++a) {
        Column column;
        column.kind = RunColumnKind::Attribute;
        column.attribute = RunAttribute(a);
        column.key = kAttributes[a].filterName;
        column.text = kAttributes[a].text;
        m_columns.push_back(std::move(column));
    }
    indexColumns();
}

std::shared_ptr<const RunTable> RunTable::merged(const RunTable &update) const
{
    return RunTableBuilder::merge(*this, update);
}

QString RunTable::columnIdentity(RunColumnKind kind, const QString &key, MetricStat stat)
{
    const int code = int(kind) * 3 + (kind == RunColumnKind::Metric ? int(stat) : 0);
    return QString::number(code) + u':' + key;
}

void RunTable::indexColumns()
{
    m_columnIndex.clear();
    m_columnIndex.reserve(columnCount());
    for (int i = 0; i < columnCount(); ++i) {
        const Column &c = m_columns[std::size_t(i)];
        m_columnIndex.insert(columnIdentity(c.kind, c.key, c.stat), i);
    }
}

int RunTable::findColumn(RunColumnKind kind, const QString &key, MetricStat stat) const
{
    return m_columnIndex.value(columnIdentity(kind, key, stat), -1);
}

QString RunTable::filterName(RunColumnKind kind, const QString &key)
{
    QString prefix;
    switch (kind) {
    case RunColumnKind::Attribute:
        prefix = QStringLiteral("attributes.");
        break;
    case RunColumnKind::Param:
        prefix = QStringLiteral("params.");
        break;
    case RunColumnKind::Metric:
        prefix = QStringLiteral("metrics.");
        break;
    case RunColumnKind::Tag:
        prefix = QStringLiteral("tags.");
        break;
    }
    if (isPlainKey(key))
        return prefix + key;
    // Backticks unless the key has one; the quote is doubled inside, as SQL does.
    const QChar quote = key.contains(u'`') ? u'"' : u'`';
    QString quoted = key;
    quoted.replace(quote, QString(2, quote));
    return prefix + quote + quoted + quote;
}

int RunTable::rowOfRun(qint64 runId) const
{
    return m_rowOfRun.value(runId, -1);
}

bool RunTable::hasActiveRuns() const
{
    return std::any_of(m_statuses.begin(), m_statuses.end(), [](RunStatus s) { return !isTerminal(s); });
}

std::vector<qint64> RunTable::activeRunIds() const
{
    std::vector<qint64> ids;
    for (std::size_t row = 0; row < m_statuses.size(); ++row) {
        if (!isTerminal(m_statuses[row]))
            ids.push_back(m_runIds[row]);
    }
    return ids;
}

qint64 RunTable::maxRunId() const
{
    return m_runIds.empty() ? 0 : *std::max_element(m_runIds.begin(), m_runIds.end());
}

namespace {

QStringList keysOf(const std::vector<RunTable::Column> &columns, RunColumnKind kind)
{
    QStringList keys;
    for (const RunTable::Column &column : columns) {
        if (column.kind == kind && column.stat == MetricStat::Last)
            keys << column.key;
    }
    std::sort(keys.begin(), keys.end(), keyLess);
    return keys;
}

} // namespace

QStringList RunTable::paramKeys() const
{
    return keysOf(m_columns, RunColumnKind::Param);
}

QStringList RunTable::metricKeys() const
{
    return keysOf(m_columns, RunColumnKind::Metric);
}

QStringList RunTable::tagKeys() const
{
    return keysOf(m_columns, RunColumnKind::Tag);
}

bool RunTable::isStepMetric(const QString &key) const
{
    const int column = findColumn(RunColumnKind::Metric, key);
    return column >= 0 && m_columns[std::size_t(column)].stepSeries;
}

std::vector<int> RunTable::differingColumns(const std::vector<int> &rows) const
{
    std::vector<int> differing;
    std::vector<int> onlyPresence; // the runs that have the key agree; some runs lack it
    if (rows.size() < 2)
        return differing;
    for (int c = 0; c < columnCount(); ++c) {
        const Column &column = m_columns[std::size_t(c)];
        if (column.kind != RunColumnKind::Param && column.kind != RunColumnKind::Tag)
            continue;
        // The dictionary holds each value once, so equal codes are equal values.
        qint32 present = -1;
        bool missing = false;
        bool valuesDiffer = false;
        for (int row : rows) {
            const qint32 code = column.codes[std::size_t(row)];
            if (code < 0)
                missing = true;
            else if (present < 0)
                present = code;
            else if (code != present)
                valuesDiffer = true;
        }
        if (valuesDiffer)
            differing.push_back(c);
        else if (missing && present >= 0)
            onlyPresence.push_back(c);
    }
    differing.insert(differing.end(), onlyPresence.begin(), onlyPresence.end());
    return differing;
}

QString RunTable::legendLabel(int row, const std::vector<int> &columns) const
{
    QString label = u'#' + QString::number(runId(row));
    for (int c : columns) {
        const Column &column = m_columns[std::size_t(c)];
        if (!column.isMissing(row))
            label += u' ' + column.label() + u'=' + column.displayText(row);
    }
    return label;
}

std::vector<int> RunTable::sortedRows(std::vector<int> rows, int column, Qt::SortOrder order) const
{
    if (column < 0 || column >= columnCount())
        return rows;
    const Column &c = m_columns[std::size_t(column)];
    // One sort key per row: the number, or the rank of the text among the dictionary's values.
    std::vector<double> keys(m_runIds.size(), kNaN);
    if (c.text && !c.allNumeric) {
        std::vector<int> byText(std::size_t(c.dictionary.size()));
        for (std::size_t i = 0; i < byText.size(); ++i)
            byText[i] = int(i);
        std::sort(byText.begin(), byText.end(),
                  [&c](int a, int b) { return keyLess(c.dictionary.at(a), c.dictionary.at(b)); });
        std::vector<double> rank(byText.size());
        for (std::size_t i = 0; i < byText.size(); ++i)
            rank[std::size_t(byText[i])] = double(i);
        for (int row : rows) {
            const qint32 code = c.codes[std::size_t(row)];
            keys[std::size_t(row)] = code < 0 ? kNaN : rank[std::size_t(code)];
        }
    } else {
        for (int row : rows)
            keys[std::size_t(row)] = c.number(row);
    }
    const bool ascending = order == Qt::AscendingOrder;
    std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
        const double ka = keys[std::size_t(a)];
        const double kb = keys[std::size_t(b)];
        const bool missingA = std::isnan(ka);
        const bool missingB = std::isnan(kb);
        if (missingA != missingB)
            return missingB;
        if (!missingA && ka != kb)
            return ascending ? ka < kb : ka > kb;
        return m_runIds[std::size_t(a)] > m_runIds[std::size_t(b)];
    });
    return rows;
}

std::vector<int> RunTable::allRows() const
{
    std::vector<int> rows(m_runIds.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = int(i);
    std::sort(rows.begin(), rows.end(),
              [this](int a, int b) { return m_runIds[std::size_t(a)] > m_runIds[std::size_t(b)]; });
    return rows;
}

bool RunTable::Column::isMissing(int row) const
{
    return text ? codes[std::size_t(row)] < 0 : std::isnan(numbers[std::size_t(row)]);
}

double RunTable::Column::number(int row) const
{
    if (!text)
        return numbers[std::size_t(row)];
    const qint32 code = codes[std::size_t(row)];
    return code < 0 ? kNaN : dictionaryNumbers[std::size_t(code)];
}

QString RunTable::Column::displayText(int row) const
{
    if (isMissing(row))
        return {};
    if (text) {
        const QString &value = dictionary.at(codes[std::size_t(row)]);
        if (kind == RunColumnKind::Attribute && attribute == RunAttribute::Status) {
            if (const auto status = runStatusFromName(value))
                return runformat::statusText(*status);
        }
        return value;
    }
    const double value = numbers[std::size_t(row)];
    if (kind == RunColumnKind::Attribute) {
        if (attribute == RunAttribute::Id || attribute == RunAttribute::Parent)
            return QString::number(qint64(value));
        if (isTime(attribute))
            return QDateTime::fromMSecsSinceEpoch(qint64(value)).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (attribute == RunAttribute::Duration)
            return runformat::duration(value);
    }
    return QString::number(value, 'g', 6);
}

QString RunTable::Column::exactText(int row) const
{
    if (isMissing(row))
        return {};
    if (text)
        return dictionary.at(codes[std::size_t(row)]);
    const double value = numbers[std::size_t(row)];
    if (kind == RunColumnKind::Attribute) {
        if (attribute == RunAttribute::Id || attribute == RunAttribute::Parent)
            return QString::number(qint64(value));
        if (isTime(attribute))
            return QDateTime::fromMSecsSinceEpoch(qint64(value), Qt::UTC).toString(Qt::ISODateWithMs);
    }
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString RunTable::Column::label() const
{
    switch (kind) {
    case RunColumnKind::Attribute:
        return attribute == RunAttribute::Count ? key : QString(kAttributes[std::size_t(attribute)].label);
    case RunColumnKind::Metric:
        if (stat == MetricStat::Min)
            return key + QLatin1String(" (min)");
        if (stat == MetricStat::Max)
            return key + QLatin1String(" (max)");
        return key;
    case RunColumnKind::Param:
    case RunColumnKind::Tag:
        break;
    }
    return key;
}

QString RunTable::Column::filterName() const
{
    if (kind == RunColumnKind::Metric && stat != MetricStat::Last)
        return {};
    return RunTable::filterName(kind, key);
}

} // namespace kiln
