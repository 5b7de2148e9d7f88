#pragma once

#include "registry/registrytypes.h"
#include "tasks/task.h"

#include <QString>

namespace kiln {

/// Exports a model version as a bundle on a worker (TaskManager), with progress and cancel.
/// Opens its own connection to the workspace at `workspaceRoot`.
class ExportBundleTask final : public Task
{
    Q_OBJECT

public:
    ExportBundleTask(QString workspaceRoot, QString ref, QString path, QObject *parent = nullptr);
    QString path() const { return m_path; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_root;
    QString m_ref;
    QString m_path;
};

/// Imports a bundle as a new version on a worker. `version()` is valid once it succeeded.
class ImportBundleTask final : public Task
{
    Q_OBJECT

public:
    ImportBundleTask(QString workspaceRoot, QString path, QString modelName = {}, QObject *parent = nullptr);
    QString path() const { return m_path; }
    const ModelVersion &version() const { return m_version; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_root;
    QString m_path;
    QString m_modelName;
    ModelVersion m_version;
};

} // namespace kiln
