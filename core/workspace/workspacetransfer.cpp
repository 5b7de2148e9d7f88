#include "workspace/workspacetransfer.h"

#include "registry/modelregistry_p.h"
#include "runs/runtypes.h"
#include "workspace/tablecopy_p.h"
#include "workspace/workspace.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <functional>

namespace kiln {
namespace {

using namespace Internal;
using Kind = TransferReport::Kind;

/// Copies everything of one workspace that another lacks, item by item (see transferWorkspace).
class Transfer
{
public:
    Transfer(Workspace &from, Workspace &to, Feedback &feedback)
        : m_from(from)
        , m_to(to)
        , m_src(from.db())
        , m_dst(to.db())
        , m_feedback(feedback)
    { }

    Expected<TransferReport> run()
    {
        if (Status s = countItems(); !s)
            return s.error();
        for (Status (Transfer::*part)() :
             {&Transfer::datasets, &Transfer::experiments, &Transfer::runs, &Transfer::models, &Transfer::views,
              &Transfer::targets, &Transfer::deployments}) {
            if (Status s = (this->*part)(); !s)
                return s.error();
        }
        m_feedback.setProgress(1.0);
        return m_report;
    }

private:
    using Find = std::function<Expected<Found>()>;
    using Insert = std::function<Expected<qint64>()>;

    Status countItems()
    {
        auto stmt
            = m_src.prepare("SELECT (SELECT COUNT(*) FROM dataset_versions) + (SELECT COUNT(*) FROM experiments) + "
                            "(SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM registered_models) + "
                            "(SELECT COUNT(*) FROM model_versions) + (SELECT COUNT(*) FROM saved_views) + "
                            "(SELECT COUNT(*) FROM deploy_targets) + (SELECT COUNT(*) FROM deployments)");
        if (!stmt)
            return stmt.error();
        m_total = stmt->next() ? int(stmt->int64(0)) : 0;
        return m_src.lastStepStatus();
    }

    void begin(const QString &section)
    {
        m_section = section;
        m_feedback.setStatusText(QStringLiteral("%1/%2 %3").arg(m_done).arg(m_total).arg(section));
    }

    /// An item done: progress, and the place where a cancel stops the transfer.
    Status step()
    {
        ++m_done;
        m_feedback.setStatusText(QStringLiteral("%1/%2 %3").arg(m_done).arg(m_total).arg(m_section));
        m_feedback.setProgress(m_total > 0 ? double(m_done) / m_total : 1.0);
        return cancelled();
    }

    Status cancelled() const
    {
        if (!m_feedback.isCanceled())
            return {};
        return Error {QStringLiteral("cancelled: what was copied to %1 stays; run it again to copy the rest")
                          .arg(displayLocation(m_to.location()))};
    }

    /// Puts blobs into the destination's blob folder (content addressed: those it has are
    /// skipped), checking each one's hash: before any row that references them commits.
    Status copyBlobs(const QStringList &shas)
    {
        for (const QString &sha : shas) {
            if (Status s = cancelled(); !s)
                return s;
            auto &counts = m_report.counts[Kind::Blobs];
            if (m_to.blobs().contains(sha)) {
                ++counts.skipped;
                continue;
            }
            const QString path = m_from.blobs().pathFor(sha);
            if (!QFileInfo::exists(path))
                return Error {QStringLiteral("blob %1 is missing from %2 (%3)")
                                  .arg(sha, displayLocation(m_from.location()), path)};
            auto stored = m_to.blobs().addFile(path);
            if (!stored)
                return stored.error();
            if (*stored != sha)
                return Error {QStringLiteral("blob %1 of %2 is damaged: its content hashes to %3")
                                  .arg(path, displayLocation(m_from.location()), *stored)};
            ++counts.copied;
            m_report.blobBytes += QFileInfo(path).size();
        }
        return {};
    }

    /// The rows of `shas` in the destination's table of blobs (inside the item's transaction).
    Status insertBlobRows(const QStringList &shas)
    {
        for (const QString &sha : shas) {
            auto rows = selectRows(m_src, kBlobs, "WHERE sha256 = ?1", {sha});
            if (!rows)
                return rows.error();
            const Row row = rows->isEmpty()
                ? Row {sha, QVariant::fromValue(QFileInfo(m_to.blobs().pathFor(sha)).size()), storedNow()}
                : rows->first();
            if (auto inserted = insertRow(m_dst, kBlobs, row, "ON CONFLICT DO NOTHING"); !inserted)
                return inserted.error();
        }
        return {};
    }

    /// Copies one item unless the destination has it. `find` looks it up by its natural key;
    /// `sha` is the source's content hash (empty: the key alone decides); `blobs` go to the
    /// destination first; `insert` writes the rows, in one transaction that looks again first,
    /// so two transfers at once never both insert. Maps the source's id to the destination's.
    Status copyItem(Kind kind, const QString &label, qint64 sourceId, IdMap &map, const QString &sha,
                    const QStringList &blobs, const Find &find, const Insert &insert)
    {
        auto &counts = m_report.counts[kind];
        // True when the destination has the item (the same, or a conflict).
        const auto settled = [&](const Found &found) {
            if (found.id == 0)
                return false;
            if (sha.isEmpty() || found.sha == sha) {
                map.insert(sourceId, found.id);
                ++counts.skipped;
            } else {
                m_report.conflicts << QStringLiteral("%1 differs at the destination (SHA-256 %2 there, %3 here): "
                                                     "kept the destination's")
                                          .arg(label, found.sha.left(12), sha.left(12));
            }
            return true;
        };
        auto found = find();
        if (!found)
            return found.error();
        if (!settled(*found)) {
            if (Status s = copyBlobs(blobs); !s)
                return s;
            const Status copied = inTransaction(m_dst, [&]() -> Status {
                auto again = find();
                if (!again)
                    return again.error();
                if (settled(*again))
                    return {};
                auto id = insert();
                if (!id)
                    return id.error();
                map.insert(sourceId, *id);
                ++counts.copied;
                return {};
            });
            if (!copied)
                return Error {QStringLiteral("cannot copy %1 to %2: %3")
                                  .arg(label, displayLocation(m_to.location()), copied.errorMessage())};
        }
        return step();
    }

    /// A row keyed by its unique name (experiment, model) that the destination has or gets.
    Status ensureItem(Kind kind, const Table &table, const Row &row, IdMap &map)
    {
        auto id = ensureNamed(m_dst, table, row);
        if (!id)
            return id.error();
        map.insert(row[0].toLongLong(), id->first);
        ++(id->second ? m_report.counts[kind].copied : m_report.counts[kind].skipped);
        return {};
    }

    /// Child rows merged by key (tags): the destination's kept.
    Status mergeByKey(Kind kind, const Table &table, qint64 fromParent, qint64 toParent)
    {
        auto merged = copyChildren(m_src, m_dst, table, fromParent, toParent, nullptr, "ON CONFLICT DO NOTHING");
        if (!merged)
            return merged.error();
        m_report.counts[kind].copied += merged->inserted;
        m_report.counts[kind].skipped += merged->rows - merged->inserted;
        return {};
    }

    /// A row keyed by its name (views, targets): inserted unless the destination has one; one
    /// whose `compared` columns differ is a conflict.
    Status copyNamed(Kind kind, const QString &what, const Table &table, const Row &row,
                     std::initializer_list<const char *> compared)
    {
        const int nameAt = table.at("name");
        Status s = inTransaction(m_dst, [&]() -> Status {
            auto inserted = insertRow(m_dst, table, row, "ON CONFLICT(name) DO NOTHING");
            if (!inserted)
                return inserted.error();
            if (*inserted) {
                ++m_report.counts[kind].copied;
                return {};
            }
            ++m_report.counts[kind].skipped;
            auto there = selectRows(m_dst, table, "WHERE name = ?1", {row[nameAt]});
            if (!there)
                return there.error();
            for (const char *column : compared) {
                const int c = table.at(column);
                if (!there->isEmpty() && there->first()[c] != row[c]) {
                    m_report.conflicts << QStringLiteral("%1 '%2' differs at the destination: kept the destination's")
                                              .arg(what, row[nameAt].toString());
                    break;
                }
            }
            return {};
        });
        if (!s)
            return s;
        return step();
    }

    Status datasets()
    {
        begin(QStringLiteral("datasets"));
        auto datasets = selectRows(m_src, kDatasets, "ORDER BY name");
        if (!datasets)
            return datasets.error();
        const int datasetAt = kDatasetVersions.at("dataset_id");
        const int numberAt = kDatasetVersions.at("version");
        const int blobAt = kDatasetVersions.at("blob_sha256");
        const int indexAt = kDatasetVersions.at("index_sha256");
        for (const Row &dataset : std::as_const(*datasets)) {
            const QString name = dataset[1].toString();
            auto versions = selectRows(m_src, kDatasetVersions, "WHERE dataset_id = ?1 ORDER BY version", {dataset[0]});
            if (!versions)
                return versions.error();
            for (const Row &version : std::as_const(*versions)) {
                const QVariant number = version[numberAt];
                const QStringList blobs {version[blobAt].toString(), version[indexAt].toString()};
                const auto find = [&] {
                    return findOne(m_dst,
                                   "SELECT v.id, v.blob_sha256 FROM dataset_versions v JOIN datasets d ON "
                                   "d.id = v.dataset_id WHERE d.name = ?1 AND v.version = ?2",
                                   {name, number});
                };
                const auto insert = [&]() -> Expected<qint64> {
                    if (Status s = insertBlobRows(blobs); !s)
                        return s.error();
                    auto datasetId = ensureNamed(m_dst, kDatasets, dataset);
                    if (!datasetId)
                        return datasetId.error();
                    Row row = version;
                    row[datasetAt] = datasetId->first;
                    auto id = insertRow(m_dst, kDatasetVersions, row);
                    if (!id)
                        return id;
                    if (auto columns = copyChildren(m_src, m_dst, kDatasetColumns, version[0].toLongLong(), *id);
                        !columns)
                        return columns.error();
                    return id;
                };
                if (Status s = copyItem(Kind::DatasetVersions,
                                        QStringLiteral("dataset '%1' version %2").arg(name, number.toString()),
                                        version[0].toLongLong(), m_datasetVersions, blobs.first(), blobs, find, insert);
                    !s)
                    return s;
            }
        }
        return {};
    }

    Status experiments()
    {
        begin(QStringLiteral("experiments"));
        auto experiments = selectRows(m_src, kExperiments, "ORDER BY name");
        if (!experiments)
            return experiments.error();
        Status s = inTransaction(m_dst, [&]() -> Status {
            for (const Row &experiment : std::as_const(*experiments)) {
                if (Status e = ensureItem(Kind::Experiments, kExperiments, experiment, m_experiments); !e)
                    return e;
            }
            return {};
        });
        if (!s)
            return s;
        for (qsizetype i = 0; i < experiments->size(); ++i) {
            if (Status stepped = step(); !stepped)
                return stepped;
        }
        return {};
    }

    Status runs()
    {
        begin(QStringLiteral("runs"));
        auto runs = selectRows(m_src, kRuns, "ORDER BY id"); // a sweep before its points
        if (!runs)
            return runs.error();
        const int uuidAt = kRuns.at("uuid");
        const int nameAt = kRuns.at("name");
        const int statusAt = kRuns.at("status");
        const int experimentAt = kRuns.at("experiment_id");
        const int parentAt = kRuns.at("parent_id");
        const int datasetAt = kRuns.at("dataset_version_id");
        for (const Row &run : std::as_const(*runs)) {
            const qint64 id = run[0].toLongLong();
            const auto status = runStatusFromName(run[statusAt].toString());
            const bool parentLeft = run[parentAt].isValid() && !m_runs.contains(run[parentAt].toLongLong());
            if (!status || !isTerminal(*status) || parentLeft) {
                ++m_report.unfinishedRuns;
                if (Status s = step(); !s)
                    return s;
                continue;
            }
            auto artifacts = selectRows(m_src, kRunArtifacts, "WHERE run_id = ?1", {id});
            if (!artifacts)
                return artifacts.error();
            QStringList blobs;
            for (const Row &artifact : std::as_const(*artifacts))
                blobs << artifact[kRunArtifacts.at("blob_sha256")].toString();
            blobs.removeDuplicates();
            const QString uuid = run[uuidAt].toString();
            const auto find = [&] { return findOne(m_dst, "SELECT id, '' FROM runs WHERE uuid = ?1", {uuid}); };
            const auto insert = [&]() -> Expected<qint64> {
                if (Status s = insertBlobRows(blobs); !s)
                    return s.error();
                Row row = run;
                row[experimentAt] = mapped(m_experiments, run[experimentAt]);
                row[parentAt] = mapped(m_runs, run[parentAt]);
                row[datasetAt] = mapped(m_datasetVersions, run[datasetAt]);
                auto newId = insertRow(m_dst, kRuns, row);
                if (!newId)
                    return newId;
                for (const Table *child : {&kRunParams, &kRunTags, &kRunResults, &kRunArtifacts, &kRunJobs}) {
                    if (auto copied = copyChildren(m_src, m_dst, *child, id, *newId); !copied)
                        return copied.error();
                }
                if (auto series = copyChildren(m_src, m_dst, kMetricSeries, id, *newId, &kMetricChunks); !series)
                    return series.error();
                return newId;
            };
            if (Status s = copyItem(Kind::Runs, QStringLiteral("run '%1' (%2)").arg(run[nameAt].toString(), uuid), id,
                                    m_runs, {}, blobs, find, insert);
                !s)
                return s;
        }
        return {};
    }

    Status models()
    {
        begin(QStringLiteral("models"));
        auto models = selectRows(m_src, kModels, "ORDER BY name");
        if (!models)
            return models.error();
        for (const Row &model : std::as_const(*models)) {
            const QString name = model[1].toString();
            Status s = inTransaction(m_dst, [&] { return ensureItem(Kind::Models, kModels, model, m_models); });
            if (!s)
                return s;
            if (Status stepped = step(); !stepped)
                return stepped;
            if (Status v = versions(model); !v)
                return v;
            if (Status l = links(model); !l)
                return l;
        }
        return {};
    }

    Status versions(const Row &model)
    {
        const QString name = model[1].toString();
        auto versions = selectRows(m_src, kVersions, "WHERE model_id = ?1 ORDER BY version", {model[0]});
        if (!versions)
            return versions.error();
        const int numberAt = kVersions.at("version");
        const int shaAt = kVersions.at("model_sha256");
        for (const Row &version : std::as_const(*versions)) {
            const QVariant number = version[numberAt];
            const QString sha = version[shaAt].toString();
            const auto find = [&] {
                return findOne(m_dst,
                               "SELECT v.id, v.model_sha256 FROM model_versions v JOIN registered_models m ON "
                               "m.id = v.model_id WHERE m.name = ?1 AND v.version = ?2",
                               {name, number});
            };
            const auto insert = [&]() -> Expected<qint64> {
                if (Status s = insertBlobRows({sha}); !s)
                    return s.error();
                Row row = version;
                row[kVersions.at("model_id")] = mapped(m_models, model[0]);
                row[kVersions.at("run_id")] = mapped(m_runs, version[kVersions.at("run_id")]);
                return insertRow(m_dst, kVersions, row);
            };
            if (Status s
                = copyItem(Kind::ModelVersions, QStringLiteral("model '%1' version %2").arg(name, number.toString()),
                           version[0].toLongLong(), m_versions, sha, {sha}, find, insert);
                !s)
                return s;
        }
        return {};
    }

    /// A model's tags and its versions' (merged by key), its aliases (by name: one that points
    /// elsewhere at the destination is a conflict), and the version numbers it gave out, so
    /// the destination never gives one of them to another model file.
    Status links(const Row &model)
    {
        const QString name = model[1].toString();
        const qint64 modelId = m_models.value(model[0].toLongLong());
        return inTransaction(m_dst, [&]() -> Status {
            if (Status t = mergeByKey(Kind::Tags, kModelTags, model[0].toLongLong(), modelId); !t)
                return t;
            auto versions = selectRows(m_src, kVersions, "WHERE model_id = ?1", {model[0]});
            if (!versions)
                return versions.error();
            for (const Row &version : std::as_const(*versions)) {
                const qint64 versionId = m_versions.value(version[0].toLongLong());
                if (versionId == 0)
                    continue; // in conflict
                if (Status t = mergeByKey(Kind::Tags, kVersionTags, version[0].toLongLong(), versionId); !t)
                    return t;
            }
            auto aliases = selectRows(m_src, kAliases, "WHERE model_id = ?1", {model[0]});
            if (!aliases)
                return aliases.error();
            for (Row alias : std::as_const(*aliases)) {
                auto &counts = m_report.counts[Kind::Aliases];
                const QVariant versionId = mapped(m_versions, alias[2]);
                if (!versionId.isValid()) {
                    ++counts.skipped;
                    continue;
                }
                alias[0] = modelId;
                alias[2] = versionId;
                auto inserted = insertRow(m_dst, kAliases, alias, "ON CONFLICT(model_id, alias) DO NOTHING");
                if (!inserted)
                    return inserted.error();
                if (*inserted) {
                    ++counts.copied;
                    continue;
                }
                ++counts.skipped;
                auto there = findOne(m_dst,
                                     "SELECT a.version_id, CAST(v.version AS TEXT) FROM model_aliases a JOIN "
                                     "model_versions v ON v.id = a.version_id WHERE a.model_id = ?1 AND a.alias = ?2",
                                     {modelId, alias[1]});
                if (!there)
                    return there.error();
                if (there->id != versionId.toLongLong())
                    m_report.conflicts << QStringLiteral("alias '%1@%2' is version %3 at the destination: kept it")
                                              .arg(name, alias[1].toString(), there->sha);
            }
            // The registry's high-water mark (modelregistry.cpp): the larger number wins.
            const QString markKey = Internal::highWaterKey(name);
            auto mark
                = findOne(m_src, "SELECT CAST(value AS BIGINT), '' FROM workspace_info WHERE key = ?1", {markKey});
            if (!mark)
                return mark.error();
            if (mark->id == 0)
                return {};
            return Internal::execute(m_dst,
                                     "INSERT INTO workspace_info(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO "
                                     "UPDATE SET value = excluded.value WHERE CAST(workspace_info.value AS BIGINT) < "
                                     "CAST(excluded.value AS BIGINT)",
                                     markKey, QString::number(mark->id));
        });
    }

    Status views()
    {
        begin(QStringLiteral("saved views"));
        auto views = selectRows(m_src, kSavedViews, "ORDER BY name");
        if (!views)
            return views.error();
        for (Row view : std::as_const(*views)) {
            // The selection is run ids: the destination's own, for runs it has.
            QJsonObject spec = QJsonDocument::fromJson(view[1].toString().toUtf8()).object();
            QJsonArray selection;
            const QJsonArray selected = spec.value(QLatin1String("selection")).toArray();
            for (const QJsonValue runId : selected) {
                if (const qint64 id = m_runs.value(runId.toInteger()); id != 0)
                    selection.append(id);
            }
            if (spec.contains(QLatin1String("selection")))
                spec.insert(QLatin1String("selection"), selection);
            view[1] = QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact));
            if (Status s = copyNamed(Kind::SavedViews, QStringLiteral("saved view"), kSavedViews, view, {"spec"}); !s)
                return s;
        }
        return {};
    }

    Status targets()
    {
        begin(QStringLiteral("deployment targets"));
        auto targets = selectRows(m_src, kTargets, "ORDER BY name");
        if (!targets)
            return targets.error();
        for (const Row &target : std::as_const(*targets)) {
            if (Status s = copyNamed(Kind::Targets, QStringLiteral("deployment target"), kTargets, target,
                                     {"kind", "location", "options"});
                !s)
                return s;
        }
        return {};
    }

    Status deployments()
    {
        begin(QStringLiteral("deployments"));
        auto deployments = selectRows(m_src, kDeployments, "ORDER BY id");
        if (!deployments)
            return deployments.error();
        const int versionAt = kDeployments.at("version_id");
        const int targetAt = kDeployments.at("target");
        const int createdAt = kDeployments.at("created_at");
        IdMap copied;
        for (const Row &deployment : std::as_const(*deployments)) {
            const QVariant versionId = mapped(m_versions, deployment[versionAt]);
            if (!versionId.isValid()) { // its version is in conflict
                ++m_report.counts[Kind::Deployments].skipped;
                if (Status s = step(); !s)
                    return s;
                continue;
            }
            const auto find = [&] {
                return findOne(
                    m_dst, "SELECT id, '' FROM deployments WHERE target = ?1 AND version_id = ?2 AND created_at = ?3",
                    {deployment[targetAt], versionId, deployment[createdAt]});
            };
            const auto insert = [&] {
                Row row = deployment;
                row[versionAt] = versionId;
                return insertRow(m_dst, kDeployments, row);
            };
            if (Status s = copyItem(Kind::Deployments,
                                    QStringLiteral("deployment to '%1' of %2")
                                        .arg(deployment[targetAt].toString(), deployment[createdAt].toString()),
                                    deployment[0].toLongLong(), copied, {}, {}, find, insert);
                !s)
                return s;
        }
        return {};
    }

    Workspace &m_from;
    Workspace &m_to;
    Database &m_src;
    Database &m_dst;
    Feedback &m_feedback;
    TransferReport m_report;
    IdMap m_datasetVersions;
    IdMap m_experiments;
    IdMap m_runs;
    IdMap m_models;
    IdMap m_versions;
    QString m_section;
    int m_total = 0;
    int m_done = 0;
};

/// What identifies a workspace's database: the file, or the store without password and blobs.
QString databaseKey(const Workspace &workspace)
{
    return workspace.isTeamStore() ? Database::displayUrl(workspace.location())
                                   : QFileInfo(workspace.databasePath()).canonicalFilePath();
}

} // namespace

Expected<TransferReport> transferWorkspace(Workspace &from, Workspace &to, Feedback &feedback)
{
    if (databaseKey(from) == databaseKey(to))
        return Error {QStringLiteral("%1 and %2 are the same workspace")
                          .arg(displayLocation(from.location()), displayLocation(to.location()))};
    return Transfer(from, to, feedback).run();
}

} // namespace kiln
