// What both MLflow readers share: opening the right one, and MLflow's run statuses.

#include "mlflow/mlflowstore.h"

#include "mlflow/mlflowreaders_p.h"

#include <QDir>
#include <QFileInfo>

namespace kiln::mlflow {

namespace {

/// The mlruns folder `path` names: itself, or its mlruns/ sub-folder.
QString fileStoreFolder(const QString &path)
{
    if (Internal::isFileStore(path))
        return path;
    const QString inner = QDir(path).filePath(QStringLiteral("mlruns"));
    return Internal::isFileStore(inner) ? inner : QString();
}

} // namespace

Reader::~Reader() = default;

QString Run::parentRunId() const
{
    for (const auto &tag : tags) {
        if (tag.first == QLatin1String("mlflow.parentRunId"))
            return tag.second;
    }
    return {};
}

Expected<std::unique_ptr<Reader>> Reader::open(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error {QStringLiteral("%1: no such file or folder").arg(QDir::toNativeSeparators(path))};
    const QString absolute = info.absoluteFilePath();
    if (info.isDir()) {
        const QString folder = fileStoreFolder(absolute);
        if (folder.isEmpty())
            return Error {QStringLiteral("%1: not an MLflow store: no experiment folders with meta.yaml, no .trash/ "
                                         "or models/ folder")
                              .arg(QDir::toNativeSeparators(absolute))};
        return Internal::openFileStore(folder);
    }
    return Internal::openDatabase(absolute);
}

bool Reader::looksLikeStore(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return !fileStoreFolder(info.absoluteFilePath()).isEmpty();
    return info.isFile() && Internal::isDatabase(info.absoluteFilePath());
}

QString statusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued:
        return QStringLiteral("SCHEDULED");
    case RunStatus::Running:
        return QStringLiteral("RUNNING");
    case RunStatus::Finished:
        return QStringLiteral("FINISHED");
    case RunStatus::Failed:
        return QStringLiteral("FAILED");
    case RunStatus::Cancelled:
    case RunStatus::Interrupted:
        return QStringLiteral("KILLED");
    }
    return QStringLiteral("FINISHED");
}

RunStatus runStatusFromMlflow(const QString &mlflowStatus)
{
    const QString status = mlflowStatus.toUpper();
    if (status == QLatin1String("RUNNING"))
        return RunStatus::Running;
    if (status == QLatin1String("SCHEDULED"))
        return RunStatus::Queued;
    if (status == QLatin1String("FAILED"))
        return RunStatus::Failed;
    if (status == QLatin1String("KILLED"))
        return RunStatus::Cancelled;
    return RunStatus::Finished;
}

namespace {
const char *const kStatusNames[] = {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};
}

int statusNumber(const QString &mlflowStatus)
{
    for (int i = 0; i < 5; ++i) {
        if (mlflowStatus.compare(QLatin1String(kStatusNames[i]), Qt::CaseInsensitive) == 0)
            return i + 1;
    }
    return 3;
}

QString statusFromNumber(int number)
{
    return number >= 1 && number <= 5 ? QString::fromLatin1(kStatusNames[number - 1]) : QString();
}

} // namespace kiln::mlflow
