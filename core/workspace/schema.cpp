#include "workspace/schema.h"

#include <array>

namespace kiln::Internal {
namespace {

// Append only: each entry moves a workspace from version i to i+1. Never edit a shipped step.
constexpr std::array kMigrations = {
    R"sql(
CREATE TABLE workspace_info(
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL);
CREATE TABLE blobs(
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE datasets(
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL);
CREATE TABLE dataset_versions(
    id             INTEGER PRIMARY KEY,
    dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    blob_sha256    TEXT NOT NULL REFERENCES blobs(sha256),
    index_sha256   TEXT NOT NULL REFERENCES blobs(sha256),
    source_path    TEXT NOT NULL,
    source_size    INTEGER NOT NULL,
    format         TEXT NOT NULL,
    format_options TEXT NOT NULL,
    row_count      INTEGER NOT NULL,
    column_count   INTEGER NOT NULL,
    imported_at    TEXT NOT NULL,
    UNIQUE(dataset_id, version));
CREATE INDEX dataset_versions_blob ON dataset_versions(blob_sha256);
CREATE TABLE dataset_columns(
    version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    stats      TEXT NOT NULL,
    PRIMARY KEY(version_id, position));
)sql",
    // 2: run tracking (experiments, runs, params, tags, metric series in packed chunks,
    // results, artifacts).
    R"sql(
CREATE TABLE experiments(
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL);
CREATE TABLE runs(
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    experiment_id      INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    parent_id          INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    spec               TEXT NOT NULL,
    dataset_version_id INTEGER REFERENCES dataset_versions(id),
    attempt            INTEGER NOT NULL DEFAULT 0,
    cancel_requested   INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    started_at         TEXT,
    ended_at           TEXT,
    exit_code          INTEGER,
    error              TEXT,
    host               TEXT,
    runner_pid         INTEGER,
    runner_start       TEXT,
    reproducibility    TEXT);
CREATE INDEX runs_experiment ON runs(experiment_id);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_parent ON runs(parent_id);
CREATE TABLE run_params(
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY(run_id, key)) WITHOUT ROWID;
CREATE TABLE run_tags(
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY(run_id, key)) WITHOUT ROWID;
CREATE TABLE run_results(
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY(run_id, key)) WITHOUT ROWID;
CREATE TABLE metric_series(
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    count      INTEGER NOT NULL,
    last_step  INTEGER NOT NULL,
    last_value REAL NOT NULL,
    min_value  REAL NOT NULL,
    max_value  REAL NOT NULL,
    last_time  INTEGER NOT NULL,
    UNIQUE(run_id, key));
CREATE TABLE metric_chunks(
    series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    points    BLOB NOT NULL,
    PRIMARY KEY(series_id, seq)) WITHOUT ROWID;
CREATE TABLE run_artifacts(
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size        INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY(run_id, path)) WITHOUT ROWID;
)sql",
    // v3: named comparison views of the Experiments panel (selection, filter, charts).
    R"sql(
CREATE TABLE saved_views(
    name       TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    updated_at TEXT NOT NULL);
)sql",
    // v4: the model registry (models, versions made from runs or imported bundles, aliases,
    // tags) and the deployments that use a version (a deployed version cannot be deleted).
    R"sql(
CREATE TABLE registered_models(
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL);
CREATE TABLE registered_model_tags(
    model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY(model_id, key)) WITHOUT ROWID;
CREATE TABLE model_versions(
    id            INTEGER PRIMARY KEY,
    model_id      INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    status        TEXT NOT NULL,
    run_id        INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    source        TEXT NOT NULL,
    trainer       TEXT NOT NULL,
    model_format  TEXT NOT NULL,
    model_sha256  TEXT NOT NULL REFERENCES blobs(sha256),
    model_size    INTEGER NOT NULL,
    encoding      TEXT NOT NULL,
    input_example TEXT NOT NULL,
    metrics       TEXT NOT NULL,
    evaluation    TEXT NOT NULL,
    profile       TEXT NOT NULL,
    lineage       TEXT NOT NULL,
    card          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE(model_id, version));
CREATE INDEX model_versions_run ON model_versions(run_id);
CREATE TABLE model_version_tags(
    version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY(version_id, key)) WITHOUT ROWID;
CREATE TABLE model_aliases(
    model_id   INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
    updated_at TEXT NOT NULL,
    PRIMARY KEY(model_id, alias)) WITHOUT ROWID;
CREATE TABLE deployments(
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES model_versions(id),
    target     TEXT NOT NULL,
    status     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    ended_at   TEXT);
CREATE INDEX deployments_version ON deployments(version_id);
)sql",
    // v5: deployment targets (their secrets live outside the workspace, in CredentialStore),
    // and deployments listed per target, newest first.
    R"sql(
CREATE TABLE deploy_targets(
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    location   TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL);
CREATE INDEX deployments_target ON deployments(target, created_at);
)sql",
    // v6: runs sent to a cluster scheduler instead of the local queue (local schedulers claim
    // only executor 'local', and only runs queued on their own host: a team store is shared by
    // many machines), and the cluster job that runs each: its id ("123" or "123_4" in an
    // array), the node, Slurm's last state and reason.
    R"sql(
ALTER TABLE runs ADD COLUMN executor TEXT NOT NULL DEFAULT 'local';
ALTER TABLE runs ADD COLUMN queued_host TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_executor ON runs(executor, status);
CREATE TABLE run_jobs(
    run_id       INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    executor     TEXT NOT NULL,
    job_id       TEXT NOT NULL DEFAULT '',
    node         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    script       TEXT NOT NULL DEFAULT '',
    submitted_at TEXT,
    updated_at   TEXT NOT NULL);
CREATE INDEX run_jobs_job ON run_jobs(job_id);
)sql",
};

} // namespace

int latestSchemaVersion()
{
    return int(kMigrations.size());
}

Expected<int> migrate(Database &db)
{
    for (;;) {
        // Read the version inside the write transaction so two processes opening a new
        // workspace at once cannot both run the same step.
        Transaction tx(db);
        if (!tx.isActive())
            return tx.beginStatus().error();
        auto current = db.schemaVersion();
        if (!current)
            return current.error();
        const int version = *current;
        if (version > latestSchemaVersion())
            return Error {QStringLiteral("this workspace has schema version %1, newer than this Kiln "
                                         "understands (%2): update Kiln to open it")
                              .arg(version)
                              .arg(latestSchemaVersion())};
        if (version == latestSchemaVersion())
            return version;
        if (Status s = db.execDdl(kMigrations[std::size_t(version)]); !s)
            return Error {QStringLiteral("schema migration %1 failed: %2").arg(version + 1).arg(s.errorMessage())};
        if (Status s = db.setSchemaVersion(version + 1); !s)
            return s.error();
        if (Status s = tx.commit(); !s)
            return s.error();
    }
}

} // namespace kiln::Internal
