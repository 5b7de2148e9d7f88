// TransferReport and WorkspaceTransferTask: what a transfer did, and the transfer as a Task.
#include "workspace/workspacetransfer.h"

#include "workspace/workspace.h"

#include <QJsonArray>

namespace kiln {

QString displayLocation(const QString &location)
{
    return Workspace::isStoreUrl(location) ? Database::displayUrl(location) : location;
}

QString TransferReport::kindName(Kind kind)
{
    static const char *const names[]
        = {"blobs", "datasetVersions", "experiments", "runs",    "models",     "modelVersions",
           "tags",  "aliases",         "savedViews",  "targets", "deployments"};
    static_assert(std::size(names) == KindCount);
    return QLatin1String(names[kind]);
}

QString TransferReport::kindLabel(Kind kind)
{
    static const char *const labels[]
        = {"blobs",   "dataset versions", "experiments",        "runs",       "models", "model versions", "tags",
           "aliases", "saved views",      "deployment targets", "deployments"};
    static_assert(std::size(labels) == KindCount);
    return QLatin1String(labels[kind]);
}

int TransferReport::copiedTotal() const
{
    int total = 0;
    for (int k = 0; k < KindCount; ++k) {
        if (k != Blobs)
            total += counts[std::size_t(k)].copied;
    }
    return total;
}

QJsonObject TransferReport::toJson() const
{
    QJsonObject copied;
    QJsonObject skipped;
    for (int k = 0; k < KindCount; ++k) {
        copied.insert(kindName(Kind(k)), counts[std::size_t(k)].copied);
        skipped.insert(kindName(Kind(k)), counts[std::size_t(k)].skipped);
    }
    return {{QLatin1String("copied"), copied},
            {QLatin1String("skipped"), skipped},
            {QLatin1String("blobBytes"), blobBytes},
            {QLatin1String("unfinishedRuns"), unfinishedRuns},
            {QLatin1String("conflicts"), QJsonArray::fromStringList(conflicts)}};
}

QString TransferReport::summary() const
{
    QStringList parts;
    for (int k = 0; k < KindCount; ++k) {
        if (const int n = counts[std::size_t(k)].copied; n > 0 && k != Blobs)
            parts << QStringLiteral("%1 %2").arg(n).arg(kindLabel(Kind(k)));
    }
    QString line = parts.isEmpty() ? QStringLiteral("nothing to copy: the destination has everything")
                                   : QStringLiteral("copied ") + parts.join(QLatin1String(", "));
    if (counts[Blobs].copied > 0)
        line += QStringLiteral(" (%1 blobs, %2 MB)").arg(counts[Blobs].copied).arg(double(blobBytes) / 1e6, 0, 'f', 1);
    if (unfinishedRuns > 0)
        line += QStringLiteral("; %1 unfinished runs left for a later transfer").arg(unfinishedRuns);
    if (!conflicts.isEmpty())
        line += QStringLiteral("; %1 conflicts (the destination's kept)").arg(conflicts.size());
    return line;
}

WorkspaceTransferTask::WorkspaceTransferTask(QString fromLocation, QString toLocation, QObject *parent)
    : Task(tr("Copying %1 to %2").arg(displayLocation(fromLocation), displayLocation(toLocation)), parent)
    , m_from(std::move(fromLocation))
    , m_to(std::move(toLocation))
{ }

Status WorkspaceTransferTask::run(Feedback &feedback)
{
    auto from = Workspace::open(m_from, Workspace::OpenMode::OpenExisting);
    if (!from)
        return from.error();
    auto to = Workspace::open(m_to, Workspace::OpenMode::CreateIfMissing);
    if (!to)
        return to.error();
    auto report = transferWorkspace(**from, **to, feedback);
    if (!report)
        return report.error();
    m_report = std::move(report).value();
    setMessage(m_report.summary());
    return {};
}

} // namespace kiln
