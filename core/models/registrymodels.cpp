#include "models/registrymodels.h"

#include "models/runformat.h"
#include "workspace/workspace.h"

#include <QLocale>

#include <algorithm>

namespace kiln {

// ---------------------------------------------------------------------------------------------
// RegisteredModelListModel

RegisteredModelListModel::RegisteredModelListModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

RegisteredModelListModel::~RegisteredModelListModel() = default;

void RegisteredModelListModel::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    beginResetModel();
    m_models.clear();
    endResetModel();
}

Status RegisteredModelListModel::refresh()
{
    if (!m_workspace) {
        beginResetModel();
        m_models.clear();
        endResetModel();
        return {};
    }
    Expected<QList<RegisteredModel>> models = ModelRegistry(*m_workspace).models();
    if (!models)
        return models.error();
    beginResetModel();
    m_models = std::move(models).value();
    endResetModel();
    return {};
}

QStringList RegisteredModelListModel::names() const
{
    QStringList names;
    names.reserve(m_models.size());
    for (const RegisteredModel &model : m_models)
        names << model.name;
    return names;
}

int RegisteredModelListModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_models.size(); ++row) {
        if (m_models.at(row).name == name)
            return row;
    }
    return -1;
}

int RegisteredModelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_models.size());
}

QVariant RegisteredModelListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const RegisteredModel &model = m_models.at(index.row());
    const auto pointers = [&model] {
        QStringList texts;
        for (auto it = model.aliases.cbegin(); it != model.aliases.cend(); ++it)
            texts << QStringLiteral("%1 → v%2").arg(it.key()).arg(it.value());
        return texts;
    };
    switch (role) {
    case Qt::DisplayRole: {
        // Two lines: the name, then what a user looks for first (the newest version and the
        // roles versions play).
        QString second = model.latestVersion > 0 ? tr("v%1").arg(model.latestVersion) : tr("no versions");
        const QStringList aliases = pointers();
        if (!aliases.isEmpty())
            second += QStringLiteral(" · ") + aliases.join(QStringLiteral(", "));
        return QString(model.name + u'\n' + second);
    }
    case Qt::ToolTipRole: {
        QString tip = model.name;
        if (!model.description.isEmpty())
            tip += u'\n' + model.description;
        tip += u'\n' + (model.versionCount == 1 ? tr("1 version") : tr("%1 versions").arg(model.versionCount));
        return tip;
    }
    case NameRole:
        return model.name;
    case LatestVersionRole:
        return model.latestVersion;
    case VersionCountRole:
        return model.versionCount;
    case AliasesRole:
        return pointers();
    case DescriptionRole:
        return model.description;
    default:
        return {};
    }
}

// ---------------------------------------------------------------------------------------------
// ModelVersionsModel

ModelVersionsModel::ModelVersionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

ModelVersionsModel::~ModelVersionsModel() = default;

void ModelVersionsModel::setVersions(QList<ModelVersion> versions)
{
    beginResetModel();
    m_versions = std::move(versions);
    QMap<QString, bool> keys; // sorted, unique
    for (const ModelVersion &version : std::as_const(m_versions)) {
        for (auto it = version.metrics.cbegin(); it != version.metrics.cend(); ++it)
            keys.insert(it.key(), true);
    }
    m_metricKeys = keys.keys();
    endResetModel();
}

void ModelVersionsModel::clear()
{
    setVersions({});
}

const ModelVersion *ModelVersionsModel::versionAt(int row) const
{
    return row >= 0 && row < m_versions.size() ? &m_versions.at(row) : nullptr;
}

int ModelVersionsModel::rowOf(int version) const
{
    for (int row = 0; row < m_versions.size(); ++row) {
        if (m_versions.at(row).version == version)
            return row;
    }
    return -1;
}

int ModelVersionsModel::metricColumn(const QString &key) const
{
    const qsizetype index = m_metricKeys.indexOf(key);
    return index < 0 ? -1 : firstMetricColumn() + int(index);
}

QString ModelVersionsModel::metricKeyAt(int column) const
{
    return isMetricColumn(column) ? m_metricKeys.value(column - firstMetricColumn()) : QString();
}

int ModelVersionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int ModelVersionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : sourceColumn() + 1;
}

QString ModelVersionsModel::runText(const ModelVersion &version)
{
    if (version.runId > 0) {
        const QString name = version.lineage.runName.isEmpty() ? tr("run") : version.lineage.runName;
        return QStringLiteral("%1 (#%2)").arg(name).arg(version.runId);
    }
    if (!version.lineage.runName.isEmpty())
        return tr("%1 (not in this workspace)").arg(version.lineage.runName);
    return {};
}

QString ModelVersionsModel::sourceText(const ModelVersion &version)
{
    if (version.lineage.source == QLatin1String("bundle")) {
        QString text = tr("bundle %1").arg(version.lineage.bundleFile);
        if (!version.lineage.origin.isEmpty())
            text += tr(" (from %1)").arg(version.lineage.origin);
        return text;
    }
    return tr("run");
}

QString ModelVersionsModel::statusText(VersionStatus status)
{
    QString name = versionStatusName(status);
    if (!name.isEmpty())
        name[0] = name.at(0).toUpper();
    return name;
}

QString ModelVersionsModel::tagsText(const QList<QPair<QString, QString>> &tags)
{
    QStringList parts;
    parts.reserve(tags.size());
    for (const auto &[key, value] : tags)
        parts << key + u'=' + value;
    return parts.join(QStringLiteral(", "));
}

QVariant ModelVersionsModel::displayData(const ModelVersion &version, int column) const
{
    switch (column) {
    case VersionColumn:
        return tr("v%1").arg(version.version);
    case AliasesColumn:
        return version.aliases.join(QStringLiteral(", "));
    case StatusColumn:
        return version.isDeployed() ? tr("%1 · deployed").arg(statusText(version.status)) : statusText(version.status);
    case TagsColumn:
        return tagsText(version.tags);
    default:
        break;
    }
    if (column == createdColumn())
        return QLocale().toString(version.createdAt.toLocalTime(), QLocale::ShortFormat);
    if (column == runColumn())
        return runText(version);
    if (column == sourceColumn())
        return sourceText(version);
    const auto found = version.metrics.constFind(metricKeyAt(column));
    return found == version.metrics.cend() ? QVariant() : QVariant(runformat::metricValue(*found));
}

QVariant ModelVersionsModel::sortData(const ModelVersion &version, int column) const
{
    switch (column) {
    case VersionColumn:
        return version.version;
    case AliasesColumn:
        return version.aliases.join(u',');
    case StatusColumn:
        return int(version.status);
    case TagsColumn:
        return tagsText(version.tags);
    default:
        break;
    }
    if (column == createdColumn())
        return version.createdAt;
    if (column == runColumn())
        return version.runId;
    if (column == sourceColumn())
        return sourceText(version);
    const auto found = version.metrics.constFind(metricKeyAt(column));
    return found == version.metrics.cend() ? QVariant() : QVariant(*found);
}

QVariant ModelVersionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const ModelVersion &version = m_versions.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(version, column);
    case SortRole:
        return sortData(version, column);
    case Qt::ToolTipRole:
        if (column == StatusColumn && version.isDeployed()) {
            QStringList targets;
            for (const DeploymentRecord &deployment : version.deployments) {
                if (deployment.isActive())
                    targets << deployment.target;
            }
            return tr("Deployed to %1").arg(targets.join(QStringLiteral(", ")));
        }
        if (column == TagsColumn && !version.tags.isEmpty()) {
            // One tag a line: a long value is cut off in the cell.
            QStringList lines;
            for (const auto &[key, value] : version.tags)
                lines << key + QStringLiteral(" = ") + value;
            return lines.join(u'\n');
        }
        if (column == runColumn() && !version.lineage.runUuid.isEmpty())
            return tr("Run %1 of experiment %2").arg(version.lineage.runUuid, version.lineage.experiment);
        if (isMetricColumn(column)) {
            const auto found = version.metrics.constFind(metricKeyAt(column));
            return found == version.metrics.cend() ? QVariant() : QVariant(QString::number(*found, 'g', 17));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (isMetricColumn(column))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case VersionRole:
        return version.version;
    case AliasesRole:
        return version.aliases;
    case StatusRole:
        return versionStatusName(version.status);
    case DeployedRole:
        return version.isDeployed();
    default:
        return {};
    }
}

QVariant ModelVersionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    const bool metric = isMetricColumn(section);
    if (role == MetricKeyRole)
        return metric ? QVariant(metricKeyAt(section)) : QVariant();
    if (role == Qt::ToolTipRole && metric)
        return metricKeyAt(section);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case VersionColumn:
        return tr("Version");
    case AliasesColumn:
        return tr("Aliases");
    case StatusColumn:
        return tr("Status");
    case TagsColumn:
        return tr("Tags");
    default:
        break;
    }
    if (metric)
        return runformat::resultLabel(metricKeyAt(section));
    if (section == createdColumn())
        return tr("Created");
    if (section == runColumn())
        return tr("Run");
    if (section == sourceColumn())
        return tr("Source");
    return {};
}

// ---------------------------------------------------------------------------------------------
// VersionDiffModel

VersionDiffModel::VersionDiffModel(QObject *parent)
    : DiffTableModel(false, parent)
{ }

VersionDiffModel::~VersionDiffModel() = default;

void VersionDiffModel::setLines(QList<VersionDiffLine> lines, const QString &leftTitle, const QString &rightTitle)
{
    beginResetModel();
    m_lines = std::move(lines);
    m_leftTitle = leftTitle;
    m_rightTitle = rightTitle;
    rebuildRows();
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, LeftColumn, RightColumn);
}

void VersionDiffModel::clear()
{
    setLines({}, {}, {});
}

void VersionDiffModel::rebuildRows()
{
    m_rows.clear();
    for (int i = 0; i < m_lines.size(); ++i) {
        const VersionDiffLine &line = m_lines.at(i);
        if (onlyDifferences() && !line.differs)
            continue;
        // A heading opens each run of lines of one section.
        if (m_rows.isEmpty() || m_rows.constLast().section != line.section)
            m_rows.append({-1, line.section});
        m_rows.append({i, line.section});
    }
}

int VersionDiffModel::differingLineCount() const
{
    return int(
        std::count_if(m_lines.cbegin(), m_lines.cend(), [](const VersionDiffLine &line) { return line.differs; }));
}

int VersionDiffModel::rowOf(VersionDiffLine::Section section, const QString &key) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        const Row &entry = m_rows.at(row);
        if (entry.line >= 0 && entry.section == section && m_lines.at(entry.line).key == key)
            return row;
    }
    return -1;
}

QString VersionDiffModel::sectionTitle(VersionDiffLine::Section section)
{
    switch (section) {
    case VersionDiffLine::Section::Model:
        return tr("Model");
    case VersionDiffLine::Section::Metric:
        return tr("Metrics");
    case VersionDiffLine::Section::Param:
        return tr("Parameters");
    case VersionDiffLine::Section::Schema:
        return tr("Input schema");
    }
    return {};
}

int VersionDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int VersionDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VersionDiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (row.line < 0) {
        switch (role) {
        case Qt::DisplayRole:
            return index.column() == KeyColumn ? sectionTitle(row.section) : QString();
        case IsSectionRole:
            return true;
        case SectionRole:
            return int(row.section);
        default:
            return {};
        }
    }
    const VersionDiffLine &line = m_lines.at(row.line);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case KeyColumn:
            return line.section == VersionDiffLine::Section::Metric ? runformat::resultLabel(line.key) : line.key;
        case LeftColumn:
            return line.left;
        case RightColumn:
            return line.right;
        default:
            return {};
        }
    case DiffersRole:
        return line.differs;
    case IsSectionRole:
        return false;
    case MissingRole:
        return (index.column() == LeftColumn && line.left.isEmpty())
            || (index.column() == RightColumn && line.right.isEmpty());
    case KeyRole:
        return line.key;
    case SectionRole:
        return int(line.section);
    default:
        return {};
    }
}

QVariant VersionDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Field");
    case LeftColumn:
        return m_leftTitle;
    case RightColumn:
        return m_rightTitle;
    default:
        return {};
    }
}

} // namespace kiln
