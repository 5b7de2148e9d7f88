#pragma once

#include "models/rundiffmodel.h"
#include "registry/modelregistry.h"
#include "registry/registrytypes.h"
#include "util/expected.h"

#include <QAbstractListModel>
#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

namespace kiln {

class Workspace;

/// The registered models of a workspace, by name: one row each, showing the name, the latest
/// version and where the aliases point. Reads the registry on the workspace's connection, so
/// it lives on that connection's thread (the GUI thread in the app) and holds a copy of what
/// it read until refresh().
class RegisteredModelListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegisteredModelListModel)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, ///< QString
        LatestVersionRole, ///< int; 0 when every version was deleted
        VersionCountRole, ///< int
        AliasesRole, ///< QStringList: "champion → v3", by alias
        DescriptionRole, ///< QString
    };

    explicit RegisteredModelListModel(QObject *parent = nullptr);
    ~RegisteredModelListModel() override;

    /// The workspace refresh() reads; null empties the model. Not owned.
    void setWorkspace(Workspace *workspace);
    /// Reads the registry again. On error the model keeps what it had.
    Status refresh();

    const QList<RegisteredModel> &models() const { return m_models; }
    QStringList names() const;
    /// The row of the model called `name`, or -1.
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    Workspace *m_workspace = nullptr;
    QList<RegisteredModel> m_models;
};

/// The versions of one registered model as a table, newest first: version, aliases, status,
/// tags ("key=value, key2=value2"), one column per metric any version has, created, the run it
/// came from, its source. Numbers
/// and dates stay numbers and dates under SortRole, so a sort proxy orders them as such.
/// QtCore only; a view draws aliases from AliasesRole. GUI thread.
class ModelVersionsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelVersionsModel)

public:
    enum Role {
        SortRole = Qt::UserRole + 1, ///< the raw value of the cell
        VersionRole, ///< int, on every cell of a row
        AliasesRole, ///< QStringList, on every cell of a row
        StatusRole, ///< QString (versionStatusName), on every cell of a row
        DeployedRole, ///< bool: an active deployment uses the version
        MetricKeyRole, ///< on metric column headers: the metric's key
    };
    /// The fixed columns; metric columns sit between Tags and Created.
    enum Column { VersionColumn, AliasesColumn, StatusColumn, TagsColumn };

    explicit ModelVersionsModel(QObject *parent = nullptr);
    ~ModelVersionsModel() override;

    /// Shows `versions` (as ModelRegistry::versions() gives them: newest first).
    void setVersions(QList<ModelVersion> versions);
    void clear();
    const QList<ModelVersion> &versions() const { return m_versions; }
    /// The version at `row`, or null.
    const ModelVersion *versionAt(int row) const;
    /// The row of version number `version`, or -1.
    int rowOf(int version) const;
    QStringList metricKeys() const { return m_metricKeys; }
    int metricColumn(const QString &key) const; ///< -1 when no version has the metric
    int firstMetricColumn() const { return TagsColumn + 1; }
    int createdColumn() const { return firstMetricColumn() + int(m_metricKeys.size()); }
    int runColumn() const { return createdColumn() + 1; }
    int sourceColumn() const { return createdColumn() + 2; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// How the tables show a version's run and source, in one place.
    static QString runText(const ModelVersion &version);
    static QString sourceText(const ModelVersion &version);
    static QString statusText(VersionStatus status); ///< "Ready", "Archived", ...
    /// "key=value, key2=value2", in the order given (the registry's: by key).
    static QString tagsText(const QList<QPair<QString, QString>> &tags);

private:
    bool isMetricColumn(int column) const { return column >= firstMetricColumn() && column < createdColumn(); }
    /// The metric key of a metric column; empty on any other column.
    QString metricKeyAt(int column) const;
    QVariant displayData(const ModelVersion &version, int column) const;
    QVariant sortData(const ModelVersion &version, int column) const;

    QList<ModelVersion> m_versions;
    QStringList m_metricKeys;
};

/// diffVersions() as a table: the line's key, then the left and the right version's value,
/// under a heading row per section (model, metrics, params, input schema). onlyDifferences()
/// is off by default. DiffersRole is the line's on each of its cells; MissingRole marks the
/// side a metric, param or column is absent from. QtCore only; GUI thread.
class VersionDiffModel final : public DiffTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VersionDiffModel)

public:
    enum VersionRole {
        KeyRole = FirstSubclassRole, ///< QString: the line's key ("accuracy")
        SectionRole, ///< int: VersionDiffLine::Section
    };
    enum Column { KeyColumn, LeftColumn, RightColumn, ColumnCount };

    explicit VersionDiffModel(QObject *parent = nullptr);
    ~VersionDiffModel() override;

    /// Shows `lines`, comparing the versions called `leftTitle` and `rightTitle` (headers).
    void setLines(QList<VersionDiffLine> lines, const QString &leftTitle, const QString &rightTitle);
    void clear();
    const QList<VersionDiffLine> &lines() const { return m_lines; }
    int differingLineCount() const;
    /// The row showing the line of `section` and `key`, or -1 when it is not shown.
    int rowOf(VersionDiffLine::Section section, const QString &key) const;
    static QString sectionTitle(VersionDiffLine::Section section);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        int line = -1; ///< in m_lines; -1 on a heading
        VersionDiffLine::Section section = VersionDiffLine::Section::Model;
    };
    void rebuildRows() override;

    QList<VersionDiffLine> m_lines;
    QList<Row> m_rows;
    QString m_leftTitle;
    QString m_rightTitle;
};

} // namespace kiln
