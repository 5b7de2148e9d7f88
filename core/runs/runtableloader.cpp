// RunTable's loader: reads a workspace's runs from SQLite into columns (RunTableBuilder::load)
// and the text interning both the loader and the merge use.
#include "runs/runtable.h"
#include "runs/runtable_p.h"

#include "models/runformat.h"
#include "storage/database.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace kiln {

using Internal::runtable::finishText;
using Internal::runtable::keyLess;
using Internal::runtable::kNaN;
using Internal::runtable::MetricBuild;
using Internal::runtable::TextBuild;
using Internal::runtable::textColumn;
using Internal::runtable::TextInterner;

namespace {

/// The text as a number ("6", "0.3", "1e-4"), or NaN. std::from_chars: no locale, and about
/// ten times faster than QString::toDouble, which matters for 100,000 distinct names.
double parseNumber(const QString &text)
{
    std::array<char, 64> buffer {};
    const qsizetype size = text.size();
    if (size == 0 || size >= qsizetype(buffer.size()))
        return kNaN;
    const qsizetype start = text.front() == u'+' ? 1 : 0;
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = text.at(i).unicode();
        const bool numberChar
            = (c >= u'0' && c <= u'9') || c == u'.' || c == u'-' || c == u'+' || c == u'e' || c == u'E';
        if (!numberChar)
            return kNaN;
        buffer[std::size_t(i)] = char(c);
    }
    double value = kNaN;
    const char *end = buffer.data() + size;
    const auto [last, error] = std::from_chars(buffer.data() + start, end, value);
    return error == std::errc() && last == end && !std::isnan(value) ? value : kNaN;
}

/// A cheap hash of UTF-16 text, four code units at a time. QHash's seeded string hash is
/// SipHash with this Qt (~120 ns a string, measured), and a load interns millions of cells.
std::uint32_t hashText(QStringView text)
{
    constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
    std::uint64_t h = std::uint64_t(text.size()) * kMultiplier;
    const char16_t *p = text.utf16();
    qsizetype n = text.size();
    for (; n >= 4; n -= 4, p += 4) {
        std::uint64_t chunk = 0;
        std::memcpy(&chunk, p, sizeof chunk);
        h = (h ^ chunk) * kMultiplier;
        h ^= h >> 29;
    }
    for (; n > 0; --n, ++p)
        h = (h ^ *p) * kMultiplier;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    return std::uint32_t(h);
}

/// "[1,2,3]": ids for json_each().
QByteArray jsonArray(const std::vector<qint64> &ids)
{
    QByteArray json = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0)
            json += ',';
        json += QByteArray::number(ids[i]);
    }
    json += ']';
    return json;
}

} // namespace

namespace Internal::runtable {

std::size_t TextHash::operator()(const QString &text) const noexcept
{
    return hashText(text);
}

void TextInterner::index(const QStringList &dictionary)
{
    m_hashes.clear();
    m_hashes.reserve(std::size_t(dictionary.size()));
    for (const QString &text : dictionary)
        m_hashes.push_back(hashText(text));
    std::size_t size = 16;
    while (size < m_hashes.size() * 2 + 2)
        size *= 2;
    rehash(size);
}

int TextInterner::intern(QStringList &dictionary, const QString &text)
{
    if ((m_hashes.size() + 1) * 2 > m_slots.size())
        rehash(std::max<std::size_t>(16, m_slots.size() * 2));
    const std::uint32_t hash = hashText(text);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const std::int32_t code = m_slots[i];
        if (code < 0) {
            m_slots[i] = std::int32_t(dictionary.size());
            m_hashes.push_back(hash);
            dictionary.append(text);
            return m_slots[i];
        }
        if (m_hashes[std::size_t(code)] == hash && dictionary.at(code) == text)
            return code;
    }
}

void TextInterner::rehash(std::size_t size)
{
    m_slots.assign(size, -1);
    const std::size_t mask = size - 1;
    for (std::size_t code = 0; code < m_hashes.size(); ++code) {
        std::size_t i = m_hashes[code] & mask;
        while (m_slots[i] >= 0)
            i = (i + 1) & mask;
        m_slots[i] = std::int32_t(code);
    }
}

RunTable::Column textColumn(RunColumnKind kind, const QString &key, int rows)
{
    RunTable::Column column;
    column.kind = kind;
    column.key = key;
    column.text = true;
    column.codes.assign(std::size_t(rows), -1);
    return column;
}

void finishText(RunTable::Column &column)
{
    column.dictionaryNumbers.reserve(std::size_t(column.dictionary.size()));
    for (qsizetype i = qsizetype(column.dictionaryNumbers.size()); i < column.dictionary.size(); ++i)
        column.dictionaryNumbers.push_back(parseNumber(column.dictionary.at(i)));
    column.allNumeric = !column.dictionaryNumbers.empty()
        && std::none_of(column.dictionaryNumbers.begin(), column.dictionaryNumbers.end(),
                        [](double v) { return std::isnan(v); });
}

} // namespace Internal::runtable

RunTableBuilder::Selection::Selection(const RunTableQuery &query)
    : newerThan(query.newerThan)
{
    QList<QByteArray> parts;
    if (!query.experiments.isEmpty()) {
        experiments = QJsonDocument(QJsonArray::fromStringList(query.experiments)).toJson(QJsonDocument::Compact);
        parts << "e.name IN (SELECT value FROM json_each(?))";
    }
    QList<QByteArray> delta;
    if (!query.runIds.empty()) {
        runIds = jsonArray(query.runIds);
        delta << "r.id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))";
    }
    if (query.newerThan >= 0)
        delta << "r.id > ?";
    if (!delta.isEmpty())
        parts << "(" + delta.join(" OR ") + ")";
    condition = parts.join(" AND ");
}

void RunTableBuilder::Selection::bind(Statement &statement) const
{
    // Numbered in the order the condition names them, without gaps: PostgreSQL cannot type a
    // parameter that no clause uses.
    int index = 1;
    if (!experiments.isEmpty())
        statement.bind(index++, std::string_view(experiments.constData(), std::size_t(experiments.size())));
    if (!runIds.isEmpty())
        statement.bind(index++, std::string_view(runIds.constData(), std::size_t(runIds.size())));
    if (newerThan >= 0)
        statement.bind(index, static_cast<long long>(newerThan));
}

Expected<Statement> RunTableBuilder::prepareByRun(const QByteArray &select) const
{
    // A subset names its runs: the tables keyed by run are then read by their primary key.
    const bool subset = m_loadedIds.has_value();
    auto stmt = m_db.prepare(
        (subset ? select + " WHERE run_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?1))" : select).constData());
    if (!stmt)
        return failure(stmt.errorMessage());
    if (subset)
        stmt->bind(1, std::string_view(m_loadedIds->constData(), std::size_t(m_loadedIds->size())));
    return stmt;
}

Error RunTableBuilder::failure(const QString &what) const
{
    return Error {QStringLiteral("cannot read the runs of %1: %2").arg(m_db.path(), what)};
}

Status RunTableBuilder::stepStatus() const
{
    if (Status s = m_db.lastStepStatus(); !s)
        return failure(s.errorMessage());
    return {};
}

int RunTableBuilder::rowOf(qint64 runId)
{
    // Rows come grouped by run: one lookup per run, not per cell.
    if (runId != m_lastRunId) {
        m_lastRunId = runId;
        m_lastRow = m_table.m_rowOfRun.value(runId, -1);
    }
    return m_lastRow;
}

QString RunTableBuilder::sourceText(const QString &kind, const QString &trainer, const QString &command)
{
    // Most runs share a handful of sources: format each once.
    const QString cacheKey = kind + QChar(0x1f) + trainer + QChar(0x1f) + command;
    auto it = m_sources.find(cacheKey);
    if (it != m_sources.end())
        return it->second;
    RunSpec spec;
    spec.kind = kind == u"command" ? RunSpec::Kind::Command
        : kind == u"sweep"         ? RunSpec::Kind::Sweep
        : kind == u"imported"      ? RunSpec::Kind::Imported
                                   : RunSpec::Kind::Trainer;
    spec.trainer = trainer;
    for (const auto &argument : QJsonDocument::fromJson(command.toUtf8()).array())
        spec.command << argument.toString();
    QString text = runformat::sourceText(spec);
    m_sources.emplace(cacheKey, text);
    return text;
}

Status RunTableBuilder::readRuns(const Selection &selection)
{
    // Times are ISO 8601 text; the database turns them into ms in C, far faster than QDateTime.
    const bool postgres = m_db.dialect() == Database::Dialect::PostgreSQL;
    const auto ms = [postgres](const char *column) -> QByteArray {
        if (postgres)
            return "CAST(ROUND(EXTRACT(EPOCH FROM CAST(" + QByteArray(column) + " AS timestamptz)) * 1000) AS BIGINT)";
        return "CAST(ROUND((julianday(" + QByteArray(column) + ") - 2440587.5) * 86400000.0) AS INTEGER)";
    };
    const auto specField = [postgres](const char *key) -> QByteArray {
        if (postgres)
            return "CAST(r.spec AS json) ->> '" + QByteArray(key) + "'";
        return "json_extract(r.spec, '$." + QByteArray(key) + "')";
    };
    QByteArray sql = "SELECT r.id, r.uuid, e.name, r.parent_id, r.name, r.status, r.kind, " + specField("trainer")
        + ", CASE r.kind WHEN 'trainer' THEN NULL ELSE " + specField("command")
        + " END, "
          "d.name || '@' || v.version, "
        + ms("r.created_at") + ", " + ms("r.started_at") + ", " + ms("r.ended_at")
        + " FROM runs r JOIN experiments e ON e.id = r.experiment_id "
          "LEFT JOIN dataset_versions v ON v.id = r.dataset_version_id "
          "LEFT JOIN datasets d ON d.id = v.dataset_id";
    if (!selection.condition.isEmpty())
        sql += " WHERE " + selection.condition;
    // In id order when reading whole experiments (a scan in rowid order anyway); a delta is
    // read through the id index, and ORDER BY would turn that into a scan of every run.
    if (selection.runIds.isEmpty() && selection.newerThan < 0)
        sql += " ORDER BY r.id";
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return failure(stmt.errorMessage());
    selection.bind(*stmt);

    std::vector<RunTable::Column> &columns = m_table.m_columns;
    const auto numbers
        = [&columns](RunAttribute a) -> std::vector<double> & { return columns[std::size_t(a)].numbers; };
    std::vector<TextBuild> texts(static_cast<std::size_t>(RunAttribute::Count));
    const auto text = [&texts](RunAttribute a) -> TextBuild & { return texts[std::size_t(a)]; };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto cell = [&stmt](int column) { return stmt->isNull(column) ? kNaN : double(stmt->int64(column)); };
    int row = 0;
    while (stmt->next()) {
        const qint64 id = stmt->int64(0);
        m_table.m_runIds.push_back(id);
        m_table.m_rowOfRun.insert(id, row);
        const RunStatus status = runStatusFromName(stmt->text(5)).value_or(RunStatus::Failed);
        m_table.m_statuses.push_back(status);
        for (std::size_t a = 0; a < columns.size(); ++a) {
            if (columns[a].text)
                texts[a].column.codes.push_back(-1);
            else
                columns[a].numbers.push_back(kNaN);
        }
        numbers(RunAttribute::Id)[std::size_t(row)] = double(id);
        text(RunAttribute::Uuid).set(row, stmt->text(1));
        text(RunAttribute::Experiment).set(row, stmt->text(2));
        numbers(RunAttribute::Parent)[std::size_t(row)] = cell(3);
        text(RunAttribute::Name).set(row, stmt->text(4));
        text(RunAttribute::Status).set(row, runStatusName(status));
        const QString source = sourceText(stmt->text(6), stmt->text(7), stmt->text(8));
        if (!source.isEmpty())
            text(RunAttribute::Source).set(row, source);
        if (!stmt->isNull(9))
            text(RunAttribute::Dataset).set(row, stmt->text(9));
        const double started = cell(11);
        const double ended = cell(12);
        numbers(RunAttribute::Created)[std::size_t(row)] = cell(10);
        numbers(RunAttribute::Started)[std::size_t(row)] = started;
        numbers(RunAttribute::Ended)[std::size_t(row)] = ended;
        if (!std::isnan(ended))
            numbers(RunAttribute::Duration)[std::size_t(row)] = (ended - started) / 1000.0;
        else if (status == RunStatus::Running)
            numbers(RunAttribute::Duration)[std::size_t(row)] = (double(now) - started) / 1000.0;
        ++row;
    }
    if (Status s = stepStatus(); !s)
        return s;
    for (std::size_t a = 0; a < texts.size(); ++a) {
        RunTable::Column &column = columns[a];
        if (!column.text)
            continue;
        column.codes = std::move(texts[a].column.codes);
        column.dictionary = std::move(texts[a].column.dictionary);
        finishText(column);
    }
    return {};
}

Status RunTableBuilder::readPairs(const char *tableName, RunColumnKind kind)
{
    auto stmt = prepareByRun("SELECT run_id, key, value FROM " + QByteArray(tableName));
    if (!stmt)
        return stmt.error();
    const bool param = kind == RunColumnKind::Param;
    TextInterner &index = param ? m_paramIndex : m_tagIndex;
    QStringList &keys = param ? m_paramKeys : m_tagKeys;
    std::vector<TextBuild> &builds = param ? m_params : m_tags;
    const int rows = m_table.rowCount();
    while (stmt->next()) {
        const int row = rowOf(stmt->int64(0));
        if (row < 0)
            continue;
        const int build = index.intern(keys, stmt->text(1));
        if (build == int(builds.size()))
            builds.push_back({textColumn(kind, keys.at(build), rows), {}});
        builds[std::size_t(build)].set(row, stmt->text(2));
    }
    return stepStatus();
}

Status RunTableBuilder::readMetrics()
{
    const int rows = m_table.rowCount();
    const auto metric = [this, rows](const QString &key) -> MetricBuild & {
        const int build = m_metricIndex.intern(m_metricKeys, key);
        if (build == int(m_metrics.size())) {
            const std::vector<double> empty(std::size_t(rows), kNaN);
            m_metrics.push_back({key, empty, empty, empty});
        }
        return m_metrics[std::size_t(build)];
    };
    auto series = prepareByRun("SELECT run_id, key, last_value, min_value, max_value FROM metric_series");
    if (!series)
        return series.error();
    while (series->next()) {
        const int row = rowOf(series->int64(0));
        if (row < 0)
            continue;
        MetricBuild &build = metric(series->text(1));
        build.stepSeries = true;
        const double low = series->real(3);
        const double high = series->real(4);
        // A series of only NaN points (MLflow logs them) is stored with min > max: no value.
        if (low > high)
            continue;
        build.last[std::size_t(row)] = series->real(2);
        build.min[std::size_t(row)] = low;
        build.max[std::size_t(row)] = high;
    }
    if (Status s = stepStatus(); !s)
        return s;
    // A result is a metric with one point; a step series of the same key wins.
    auto results = prepareByRun("SELECT run_id, key, value FROM run_results");
    if (!results)
        return results.error();
    while (results->next()) {
        const int row = rowOf(results->int64(0));
        if (row < 0)
            continue;
        MetricBuild &build = metric(results->text(1));
        if (!std::isnan(build.last[std::size_t(row)]))
            continue;
        const double value = results->real(2);
        build.last[std::size_t(row)] = build.min[std::size_t(row)] = build.max[std::size_t(row)] = value;
    }
    return stepStatus();
}

void RunTableBuilder::assembleColumns()
{
    const auto byKey = [](const auto &a, const auto &b) { return keyLess(a.column.key, b.column.key); };
    std::sort(m_params.begin(), m_params.end(), byKey);
    std::sort(m_tags.begin(), m_tags.end(), byKey);
    std::sort(m_metrics.begin(), m_metrics.end(),
              [](const MetricBuild &a, const MetricBuild &b) { return keyLess(a.key, b.key); });
    std::vector<RunTable::Column> &columns = m_table.m_columns;
    columns.reserve(columns.size() + m_params.size() + 3 * m_metrics.size() + m_tags.size());
    for (TextBuild &build : m_params) {
        finishText(build.column);
        columns.push_back(std::move(build.column));
    }
    for (MetricBuild &build : m_metrics) {
        for (auto [stat, values] : {std::pair {MetricStat::Last, &build.last}, std::pair {MetricStat::Min, &build.min},
                                    std::pair {MetricStat::Max, &build.max}}) {
            RunTable::Column column;
            column.kind = RunColumnKind::Metric;
            column.key = build.key;
            column.stat = stat;
            column.stepSeries = build.stepSeries;
            column.numbers = std::move(*values);
            columns.push_back(std::move(column));
        }
    }
    for (TextBuild &build : m_tags) {
        finishText(build.column);
        columns.push_back(std::move(build.column));
    }
    m_table.indexColumns();
}

Expected<std::shared_ptr<const RunTable>> RunTableBuilder::load(Database &db, const RunTableQuery &query)
{
    auto table = std::make_shared<RunTable>();
    RunTableBuilder builder(db, *table);
    const ReadSnapshot snapshot(db);
    if (!snapshot.status())
        return builder.failure(snapshot.status().errorMessage());
    const Selection selection(query);
    if (Status s = builder.readRuns(selection); !s)
        return s.error();
    if (!selection.condition.isEmpty())
        builder.m_loadedIds = jsonArray(table->m_runIds);
    if (Status s = builder.readPairs("run_params", RunColumnKind::Param); !s)
        return s.error();
    if (Status s = builder.readPairs("run_tags", RunColumnKind::Tag); !s)
        return s.error();
    if (Status s = builder.readMetrics(); !s)
        return s.error();
    builder.assembleColumns();
    return std::shared_ptr<const RunTable>(std::move(table));
}

Expected<std::shared_ptr<const RunTable>> RunTable::load(const QString &databasePath, const RunTableQuery &query)
{
    if (!Database::isPostgresUrl(databasePath) && !QFileInfo::exists(databasePath))
        return Error {QStringLiteral("cannot read the runs of %1: the file does not exist").arg(databasePath)};
    Expected<std::unique_ptr<Database>> db = Database::open(databasePath);
    if (!db)
        return db.error();
    // One pass over every page: mapped pages skip a copy per page read (a hint; no error if refused).
    if ((*db)->dialect() == Database::Dialect::SQLite)
        (*db)->exec("PRAGMA mmap_size=2147483648");
    return RunTableBuilder::load(**db, query);
}

Expected<std::shared_ptr<const RunTable>> RunTable::load(Database &db, const RunTableQuery &query)
{
    return RunTableBuilder::load(db, query);
}

} // namespace kiln
