#pragma once

#include "tasks/task.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace kiln {

class Workspace;

/// What to import: files, folders (walked recursively) and archives.
struct ImportRequest
{
    QString workspaceRoot;
    QStringList paths;
    QString name; ///< dataset name for a single data file; empty: from the file name
    QJsonObject options; ///< forced format options (delimiter, header, encoding); absent: detected
};

/// One data file that is now a dataset version.
struct ImportedDataset
{
    QString name;
    int version = 0;
    qint64 rows = 0;
    int columns = 0;
    bool unchanged = false; ///< the same content was already the latest version: nothing stored
    QString source;
};

struct ImportFailure
{
    QString source;
    QString message; ///< names the file, the line or entry, and the reason
};

struct ImportReport
{
    QList<ImportedDataset> imported;
    QList<ImportFailure> failed;
    QStringList skipped; ///< "data.zip!/README.md: not a data file"
    bool cancelled = false;

    QString summary() const;
};

/// Imports each data file in its own transaction: a file (or a whole archive) either becomes
/// dataset versions with all their bytes stored, or leaves nothing behind. Runs on the
/// calling thread with its own database connection.
ImportReport importPaths(const ImportRequest &request, Feedback &feedback);
/// The same into a workspace the caller already opened on this thread (request.workspaceRoot
/// is not used).
ImportReport importPaths(Workspace &workspace, const ImportRequest &request, Feedback &feedback);

/// importPaths() as a Task; the report is read in finished().
class ImportTask final : public Task
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportTask)

public:
    explicit ImportTask(ImportRequest request, QObject *parent = nullptr);
    const ImportReport &report() const { return m_report; }

protected:
    Status run(Feedback &feedback) override;

private:
    ImportRequest m_request;
    ImportReport m_report;
};

} // namespace kiln
