#include "models/texttablemodel.h"

#include "models/runformat.h"

#include <QLocale>

namespace kiln {

namespace {

bool isNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
        return true;
    default:
        return false;
    }
}

} // namespace

TextTableModel::TextTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

TextTableModel::~TextTableModel() = default;

void TextTableModel::setHeader(const QStringList &header)
{
    beginResetModel();
    m_header = header;
    endResetModel();
}

void TextTableModel::setRows(QList<QVariantList> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_toolTips.clear();
    endResetModel();
}

void TextTableModel::setToolTips(QList<QStringList> toolTips)
{
    m_toolTips = std::move(toolTips);
}

void TextTableModel::clear()
{
    setRows({});
}

int TextTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TextTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_header.size());
}

QVariant TextTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    QVariant value = m_rows.at(index.row()).value(index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (value.typeId() == QMetaType::Double)
            return runformat::metricValue(value.toDouble());
        if (isNumber(value))
            return QLocale().toString(value.toLongLong());
        return value.toString();
    case Qt::ToolTipRole: {
        const QString tip = m_toolTips.value(index.row()).value(index.column());
        if (!tip.isEmpty())
            return tip;
        if (value.typeId() == QMetaType::Double)
            return QString::number(value.toDouble(), 'g', 17);
        return value.toString();
    }
    case Qt::TextAlignmentRole:
        if (isNumber(value))
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case SortRole:
        return value;
    default:
        return {};
    }
}

QVariant TextTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return m_header.value(section);
}

} // namespace kiln
