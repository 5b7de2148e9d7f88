#include "models/datasetlistmodel.h"

#include <QFileInfo>
#include <QJsonValue>
#include <QLocale>
#include <QStringList>

namespace kiln {

namespace {

// Version rows carry the row of their dataset plus one; dataset rows carry 0.
constexpr quintptr kDatasetRowId = 0;

QString shapeText(qint64 rows, int columns)
{
    const QLocale locale;
    return locale.toString(rows) % u" × " % locale.toString(columns);
}

QString dateText(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    // Compact and unambiguous in a narrow tree, whatever the locale; the tooltip has the time.
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd"));
}

QString jsonValueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Double:
        return QLocale().toString(value.toDouble());
    case QJsonValue::String: {
        // Delimiters such as a tab are invisible when printed as they are.
        QString text = value.toString();
        if (text == u"\t")
            return QStringLiteral("tab");
        if (text == u" ")
            return QStringLiteral("space");
        return text;
    }
    default:
        return {};
    }
}

QString formatText(const DatasetVersion &version)
{
    QStringList options;
    for (auto it = version.formatOptions.begin(); it != version.formatOptions.end(); ++it) {
        const QString value = jsonValueText(it.value());
        if (!value.isEmpty())
            options.append(it.key() % u": " % value);
    }
    if (options.isEmpty())
        return version.format;
    return version.format % u" (" % options.join(u", ") % u')';
}

QString versionToolTip(const QString &name, const DatasetVersion &version)
{
    const QLocale locale;
    QStringList lines;
    lines << name % u'@' % QString::number(version.version);
    lines << DatasetListModel::tr("%1 rows × %2 columns")
                 .arg(locale.toString(version.rowCount), locale.toString(version.columnCount));
    lines << DatasetListModel::tr("Source: %1").arg(version.sourcePath);
    lines << DatasetListModel::tr("Size: %1 (%2 bytes)")
                 .arg(locale.formattedDataSize(version.sourceSize), locale.toString(version.sourceSize));
    lines << DatasetListModel::tr("SHA-256: %1").arg(version.blobSha256);
    lines << DatasetListModel::tr("Imported: %1")
                 .arg(QLocale().toString(version.importedAt.toLocalTime(), QLocale::LongFormat));
    lines << DatasetListModel::tr("Format: %1").arg(formatText(version));
    return lines.join(u'\n');
}

} // namespace

DatasetListModel::DatasetListModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

DatasetListModel::~DatasetListModel() = default;

void DatasetListModel::setDatabase(Database *db)
{
    m_db = db;
    if (!db) {
        beginResetModel();
        m_datasets.clear();
        endResetModel();
    }
}

Status DatasetListModel::refresh()
{
    if (!m_db)
        return Status::success();
    const DatasetCatalog catalog(*m_db);
    Expected<QList<DatasetSummary>> datasets = catalog.datasets();
    if (!datasets)
        return datasets.error();

    QList<Entry> entries;
    entries.reserve(datasets->size());
    for (const DatasetSummary &summary : std::as_const(*datasets)) {
        Expected<QList<DatasetVersion>> versions = catalog.versions(summary.name);
        if (!versions)
            return versions.error();
        entries.append(Entry {summary, std::move(versions).value()});
    }

    beginResetModel();
    m_datasets = std::move(entries);
    endResetModel();
    return Status::success();
}

QModelIndex DatasetListModel::indexFor(const QString &name, int version) const
{
    for (int row = 0; row < m_datasets.size(); ++row) {
        const Entry &entry = m_datasets.at(row);
        if (entry.summary.name != name)
            continue;
        const QModelIndex datasetIndex = index(row, NameColumn);
        if (version == 0)
            return datasetIndex;
        for (int child = 0; child < entry.versions.size(); ++child) {
            if (entry.versions.at(child).version == version)
                return index(child, NameColumn, datasetIndex);
        }
        return {};
    }
    return {};
}

QModelIndex DatasetListModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid()) {
        if (row >= m_datasets.size())
            return {};
        return createIndex(row, column, kDatasetRowId);
    }
    if (parent.internalId() != kDatasetRowId || parent.row() >= m_datasets.size())
        return {};
    if (row >= m_datasets.at(parent.row()).versions.size())
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex DatasetListModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kDatasetRowId)
        return {};
    return createIndex(int(child.internalId() - 1), NameColumn, kDatasetRowId);
}

int DatasetListModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_datasets.size());
    if (parent.column() != NameColumn || parent.internalId() != kDatasetRowId)
        return 0;
    return int(m_datasets.at(parent.row()).versions.size());
}

int DatasetListModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant DatasetListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == kDatasetRowId)
        return datasetData(m_datasets.at(index.row()), index.column(), role);
    const Entry &entry = m_datasets.at(int(index.internalId() - 1));
    return versionData(entry, entry.versions.at(index.row()), index.column(), role);
}

QVariant DatasetListModel::datasetData(const Entry &entry, int column, int role) const
{
    const DatasetSummary &summary = entry.summary;
    switch (role) {
    case Qt::DisplayRole:
        if (column == NameColumn)
            return summary.name;
        return shapeText(summary.latestRowCount, summary.latestColumnCount);
    case Qt::ToolTipRole:
        if (!entry.versions.isEmpty())
            return QString(tr("%1: %n version(s), latest v%2", nullptr, summary.versionCount)
                               .arg(summary.name)
                               .arg(summary.latestVersion)
                           % u"\n\n" % versionToolTip(summary.name, entry.versions.constFirst()));
        return summary.name;
    case Qt::TextAlignmentRole:
        if (column == ShapeColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case NameRole:
        return summary.name;
    case VersionRole:
        return summary.latestVersion;
    case RefRole:
        return QString(summary.name % u'@' % QString::number(summary.latestVersion));
    case IsVersionRole:
        return false;
    case RowCountRole:
        return summary.latestRowCount;
    case ColumnCountRole:
        return summary.latestColumnCount;
    default:
        return {};
    }
}

QVariant DatasetListModel::versionData(const Entry &entry, const DatasetVersion &version, int column, int role) const
{
    // The catalog names the dataset on the summary; versions() may leave datasetName empty.
    const QString &name = entry.summary.name;
    switch (role) {
    case Qt::DisplayRole:
        if (column == NameColumn) {
            const QString when = dateText(version.importedAt);
            if (when.isEmpty())
                return QString(u'v' % QString::number(version.version));
            return QString(u'v' % QString::number(version.version) % u" · " % when);
        }
        return shapeText(version.rowCount, version.columnCount);
    case Qt::ToolTipRole:
        return versionToolTip(name, version);
    case Qt::TextAlignmentRole:
        if (column == ShapeColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case NameRole:
        return name;
    case VersionRole:
        return version.version;
    case RefRole:
        return QString(name % u'@' % QString::number(version.version));
    case IsVersionRole:
        return true;
    case RowCountRole:
        return version.rowCount;
    case ColumnCountRole:
        return version.columnCount;
    default:
        return {};
    }
}

QVariant DatasetListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == NameColumn ? tr("Dataset") : tr("Rows × cols");
}

} // namespace kiln
