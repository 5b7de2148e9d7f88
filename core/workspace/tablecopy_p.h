#pragma once

// The generic row copier behind transferWorkspace(): the schema's tables as column lists with
// their types, rows read from one database and written to another, where they get the
// destination's own ids. SQL in the dialect both SQLite and PostgreSQL accept. Private to
// core/workspace.

#include "storage/database.h"
#include "util/expected.h"

#include <QByteArrayList>
#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>

#include <utility>

namespace kiln::Internal {

using Row = QVariantList;
using IdMap = QHash<qint64, qint64>;

/// One table as the copier reads and writes it: its columns without `id`, and their types, one
/// letter each (i integer, r real, t text, b blob). A table with an `id` has it read first
/// (row[0]) and gets the destination's own on insert (RETURNING id). A child table's first
/// column is its parent's id.
struct Table
{
    const char *name;
    bool hasId;
    const char *columns;
    const char *types;

    QByteArrayList columnNames() const;
    /// The row index of `column`.
    int at(const char *column) const;
};

// The schema (core/workspace/schema.cpp, v6) as the copier sees it.
inline constexpr Table kBlobs {"blobs", false, "sha256, size, created_at", "tit"};
inline constexpr Table kDatasets {"datasets", true, "name, created_at", "tt"};
inline constexpr Table kDatasetVersions {
    "dataset_versions", true,
    "dataset_id, version, blob_sha256, index_sha256, source_path, source_size, format, "
    "format_options, row_count, column_count, imported_at",
    "iitttittiit"};
inline constexpr Table kDatasetColumns {"dataset_columns", false, "version_id, position, name, type, stats", "iittt"};
inline constexpr Table kExperiments {"experiments", true, "name, created_at", "tt"};
inline constexpr Table kRuns {"runs", true,
                              "uuid, experiment_id, parent_id, name, kind, status, spec, dataset_version_id, attempt, "
                              "cancel_requested, created_at, started_at, ended_at, exit_code, error, host, runner_pid, "
                              "runner_start, reproducibility, executor, queued_host",
                              "tiittttiiitttittitttt"};
inline constexpr Table kRunParams {"run_params", false, "run_id, key, value", "itt"};
inline constexpr Table kRunTags {"run_tags", false, "run_id, key, value", "itt"};
inline constexpr Table kRunResults {"run_results", false, "run_id, key, value", "itr"};
inline constexpr Table kRunArtifacts {"run_artifacts", false, "run_id, path, blob_sha256, size, created_at", "ittit"};
inline constexpr Table kRunJobs {
    "run_jobs", false, "run_id, executor, job_id, node, state, reason, script, submitted_at, updated_at", "itttttttt"};
inline constexpr Table kMetricSeries {
    "metric_series", true, "run_id, key, count, last_step, last_value, min_value, max_value, last_time", "itiirrri"};
inline constexpr Table kMetricChunks {"metric_chunks", false, "series_id, seq, count, points", "iiib"};
inline constexpr Table kSavedViews {"saved_views", false, "name, spec, updated_at", "ttt"};
inline constexpr Table kModels {"registered_models", true, "name, description, created_at, updated_at", "tttt"};
inline constexpr Table kModelTags {"registered_model_tags", false, "model_id, key, value", "itt"};
inline constexpr Table kVersions {"model_versions", true,
                                  "model_id, version, status, run_id, source, trainer, model_format, model_sha256, "
                                  "model_size, encoding, input_example, metrics, evaluation, profile, lineage, card, "
                                  "created_at, updated_at",
                                  "iitittttittttttttt"};
inline constexpr Table kVersionTags {"model_version_tags", false, "version_id, key, value", "itt"};
inline constexpr Table kAliases {"model_aliases", false, "model_id, alias, version_id, updated_at", "itit"};
inline constexpr Table kTargets {"deploy_targets", true, "name, kind, location, options, created_at", "ttttt"};
inline constexpr Table kDeployments {"deployments", true, "version_id, target, status, detail, created_at, ended_at",
                                     "ittttt"};

/// The rows of `table` (`where` also orders), read as the table's types say.
Expected<QList<Row>> selectRows(Database &db, const Table &table, const QByteArray &where,
                                const QVariantList &binds = {});
/// Inserts `row` (without its id: the destination numbers it), with `conflict` ("ON CONFLICT
/// (name) DO NOTHING") when given. Returns the new id for a table with ids (0 when the
/// conflict clause skipped the row), else the number of rows inserted.
Expected<qint64> insertRow(Database &db, const Table &table, const Row &row, const char *conflict = "");
/// Inserts a row keyed by its unique name (row[1]) unless the destination has one; either way
/// returns the destination's id, and whether it was inserted.
Expected<std::pair<qint64, bool>> ensureNamed(Database &db, const Table &table, const Row &row);

struct Merged
{
    int rows = 0;
    int inserted = 0;
};

/// Copies the rows of child table `table` under `fromParent` to `toParent` (with a conflict
/// clause: merged by key, the destination's rows kept). A table with ids takes the rows of
/// `grandchildren` along (a run's metric series and their chunks).
Expected<Merged> copyChildren(Database &from, Database &to, const Table &table, qint64 fromParent, qint64 toParent,
                              const Table *grandchildren = nullptr, const char *conflict = "");

/// What the destination has under an item's key: its id (0: nothing) and content hash. Its
/// queries select both (SQLite flags reading a column that is not there as an error).
struct Found
{
    qint64 id = 0;
    QString sha;
};

Expected<Found> findOne(Database &db, const char *sql, const QVariantList &binds);

/// The destination's id of `sourceId` (NULL when unmapped or NULL).
QVariant mapped(const IdMap &map, const QVariant &sourceId);

} // namespace kiln::Internal
