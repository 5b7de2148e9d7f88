#pragma once

#include "registry/registrytypes.h"
#include "tasks/feedback.h"
#include "training/trainer.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace kiln {

class Workspace;

/// A Kiln model bundle: one .tar.gz (written with libarchive) that carries a model version to
/// another workspace or to a serving agent. Its first entry is `kiln-bundle.json`, the
/// manifest: {"format": "kiln-bundle", "formatVersion": 1, "model": {name, version,
/// description}, "trainer", "modelFormat", "files": [{"path", "sha256", "size"}],
/// "signature", "encoding", "inputExample", "metrics", "evaluation", "profile" (the training
/// data's column profile, for drift checks), "lineage", "card", "createdAt", "kilnVersion"}.
/// The files it lists: `model/model.<format>`, `model/feature_encoding.json`, `card.md`.
namespace bundle {

constexpr int kFormatVersion = 1;
inline constexpr char kManifestName[] = "kiln-bundle.json";
/// The file name suffix Kiln gives bundles ("churn-v3.kiln.tar.gz").
inline constexpr char kSuffix[] = ".kiln.tar.gz";

} // namespace bundle

/// A verified bundle's contents, in memory (models are megabytes, not gigabytes).
struct BundleContents
{
    QJsonObject manifest;
    QString modelName;
    int modelVersion = 0; ///< the version number where it was exported
    QString trainer;
    TrainedModel model; ///< format and bytes (importance and rounds empty)
    ModelVersion draft; ///< everything ModelRegistry::addVersion needs but the blob
};

/// Writes `ref` ("name@3", "name@champion") of `workspace` as a bundle at `path`. The file
/// appears whole or not at all (written beside it, then renamed). `feedback` may cancel.
Status exportBundle(Workspace &workspace, const QString &ref, const QString &path, Feedback *feedback = nullptr);

/// Reads and verifies a bundle without touching any workspace. Refused, with the file and the
/// reason: not a gzip'd tar, no manifest or not first, unknown format or format version, an
/// entry whose path is absolute, has "..", or is a link or device, an entry the manifest does
/// not list, a listed file missing, a size or SHA-256 that does not match, a manifest whose
/// fields are missing or of the wrong type, more than 1 GiB unpacked.
Expected<BundleContents> readBundle(const QString &path, Feedback *feedback = nullptr);

/// readBundle(), then adds the model as the next version of `modelName` (default: the name in
/// the bundle) with lineage source "bundle". A refused bundle leaves the workspace exactly as
/// it was: no blob, no row.
Expected<ModelVersion> importBundle(Workspace &workspace, const QString &path, const QString &modelName = {},
                                    Feedback *feedback = nullptr);

/// Whether `path` looks like a bundle (a gzip'd tar whose first entry is the manifest), read
/// from its first few kilobytes: how a drop onto the window tells a bundle from a data archive.
bool isModelBundle(const QString &path);

/// "churn-v3.kiln.tar.gz": the file name Kiln suggests for exporting `version`.
QString suggestedBundleName(const ModelVersion &version);

} // namespace kiln
