#pragma once

// Private to RunTable's implementation: what its loader (runtableloader.cpp) and its merge
// (runtable.cpp) share. Not part of kiln_core's interface; include it from nowhere else.

#include "runs/runtable.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

namespace kiln {

class Statement;

namespace Internal::runtable {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A cheap hash of UTF-16 text for the interner and the builder's caches (runtableloader.cpp).
struct TextHash
{
    std::size_t operator()(const QString &text) const noexcept;
};

/// Text → code for one dictionary: open addressing over the dictionary's own entries, so a
/// repeated value costs a hash and one compare, and a new one no more than its entry.
class TextInterner
{
public:
    /// Indexes an existing dictionary of distinct values.
    void index(const QStringList &dictionary);
    /// The code of `text` in `dictionary`, appended when new.
    int intern(QStringList &dictionary, const QString &text);

private:
    void rehash(std::size_t size);

    std::vector<std::int32_t> m_slots; ///< a code or -1; a power of two, at most half full
    std::vector<std::uint32_t> m_hashes; ///< per code
};

/// The order of keys and text values: case-insensitive, then by code unit on a tie.
bool keyLess(const QString &a, const QString &b);

/// An empty dictionary-coded column of `rows` missing cells.
RunTable::Column textColumn(RunColumnKind kind, const QString &key, int rows);

/// dictionaryNumbers and allNumeric from the dictionary, whose every entry is in use.
void finishText(RunTable::Column &column);

/// Fills a dictionary-coded column: each cell costs one hash lookup of its value.
struct TextBuild
{
    RunTable::Column column;
    TextInterner index;

    void set(int row, const QString &value) { column.codes[std::size_t(row)] = index.intern(column.dictionary, value); }
};

struct MetricBuild
{
    QString key;
    std::vector<double> last, min, max;
    bool stepSeries = false; ///< some run logs the key as a step series (not only a result)
};

} // namespace Internal::runtable

/// Builds tables (load) and merges them; a friend of RunTable so that both fill its vectors
/// in place instead of going through a per-cell API. load() is in runtableloader.cpp,
/// merge() in runtable.cpp.
class RunTableBuilder final
{
public:
    static Expected<std::shared_ptr<const RunTable>> load(Database &db, const RunTableQuery &query);
    static std::shared_ptr<const RunTable> merge(const RunTable &base, const RunTable &update);

private:
    /// The SQL condition on `runs r JOIN experiments e` that selects the query's runs, and its bindings.
    struct Selection
    {
        QByteArray condition;
        QByteArray experiments;
        QByteArray runIds;
        qint64 newerThan = -1;

        explicit Selection(const RunTableQuery &query);
        void bind(Statement &statement) const;
    };

    RunTableBuilder(Database &db, RunTable &table)
        : m_db(db)
        , m_table(table)
    { }
    Status readRuns(const Selection &selection);
    Expected<Statement> prepareByRun(const QByteArray &select) const;
    Status readPairs(const char *tableName, RunColumnKind kind);
    Status readMetrics();
    void assembleColumns();
    int rowOf(qint64 runId);
    Error failure(const QString &what) const;
    /// Whether the last Statement::next() that returned false ended the rows or failed.
    Status stepStatus() const;
    QString sourceText(const QString &kind, const QString &trainer, const QString &command);

    Database &m_db;
    RunTable &m_table;
    std::optional<QByteArray> m_loadedIds; ///< the JSON array of the runs read, when not all
    qint64 m_lastRunId = -1;
    int m_lastRow = -1;
    std::unordered_map<QString, QString, Internal::runtable::TextHash> m_sources;
    QStringList m_paramKeys, m_tagKeys, m_metricKeys; ///< in first-seen order, as the builds
    Internal::runtable::TextInterner m_paramIndex, m_tagIndex, m_metricIndex;
    std::vector<Internal::runtable::TextBuild> m_params, m_tags;
    std::vector<Internal::runtable::MetricBuild> m_metrics;
};

} // namespace kiln
