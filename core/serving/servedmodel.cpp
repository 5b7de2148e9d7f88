// ServedModel: a verified bundle loaded once for kiln-serve.
#include "serving/servedmodel.h"

#include "registry/bundle.h"
#include "serving/servemetrics.h"
#include "util/sha256.h"

#include <QFile>
#include <QFileInfo>

namespace kiln {

Expected<std::shared_ptr<const ServedModel>> ServedModel::fromBundle(const QString &path)
{
    Expected<BundleContents> contents = readBundle(path);
    if (!contents)
        return contents.error();
    Expected<QString> sha = fileSha256(path);
    if (!sha)
        return sha.error();
    const ModelVersion &draft = contents->draft;
    Expected<std::shared_ptr<const LoadedModel>> loaded
        = LoadedModel::create(contents->trainer, contents->model, draft.encoding, draft.signature);
    if (!loaded)
        return Error {QStringLiteral("bundle %1: %2").arg(QFileInfo(path).fileName(), loaded.errorMessage())};

    auto served = std::make_shared<ServedModel>();
    served->name = contents->modelName;
    served->version = contents->modelVersion;
    served->sha256 = *sha;
    served->trainer = contents->trainer;
    served->loadedAt = QDateTime::currentDateTimeUtc();
    served->manifest = contents->manifest;
    served->profile = draft.profile;
    served->model = std::move(*loaded);
    served->inputStats = std::make_shared<InputStats>(served->profile, *served->model);
    return std::shared_ptr<const ServedModel>(std::move(served));
}

} // namespace kiln
