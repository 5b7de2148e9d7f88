#include "models/columnstatsmodel.h"

#include <QDateTime>
#include <QLocale>
#include <QStringList>

#include <cmath>

namespace kiln {

namespace {

constexpr int kTopValuesInline = 3;

/// About six significant digits without switching to exponents for everyday magnitudes:
/// 1,234,567.9 reads better than 1.23457e+06.
QString formatNumber(double value)
{
    const QLocale locale;
    if (!std::isfinite(value))
        return QString::number(value);
    const double magnitude = std::abs(value);
    if (magnitude != 0 && (magnitude >= 1e12 || magnitude < 1e-4))
        return locale.toString(value, 'g', 6);
    const int digitsBeforePoint = magnitude >= 1 ? int(std::floor(std::log10(magnitude))) + 1 : 0;
    QString text = locale.toString(value, 'f', std::max(0, 6 - digitsBeforePoint));
    const QString point = locale.decimalPoint();
    if (text.contains(point)) {
        while (text.endsWith(u'0'))
            text.chop(1);
        if (text.endsWith(point))
            text.chop(point.size());
    }
    return text;
}

/// One decimal at most: 11.2%, 20%.
QString formatPercent(double percent)
{
    const QLocale locale;
    QString text = locale.toString(percent, 'f', 1);
    const QString zero = locale.decimalPoint() + locale.zeroDigit();
    if (text.endsWith(zero))
        text.chop(zero.size());
    return text;
}

QString formatDuration(double ms)
{
    const double seconds = ms / 1000.0;
    if (seconds >= 86400)
        return ColumnStatsModel::tr("%1 days").arg(formatNumber(seconds / 86400));
    if (seconds >= 3600)
        return ColumnStatsModel::tr("%1 hours").arg(formatNumber(seconds / 3600));
    if (seconds >= 60)
        return ColumnStatsModel::tr("%1 minutes").arg(formatNumber(seconds / 60));
    return ColumnStatsModel::tr("%1 s").arg(formatNumber(seconds));
}

QString formatDateTime(double ms)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(ms)), Qt::UTC).toString(Qt::ISODate);
}

} // namespace

QString columnTypeLabel(ColumnType type)
{
    switch (type) {
    case ColumnType::Boolean:
        return ColumnStatsModel::tr("Boolean");
    case ColumnType::Integer:
        return ColumnStatsModel::tr("Integer");
    case ColumnType::Float:
        return ColumnStatsModel::tr("Float");
    case ColumnType::DateTime:
        return ColumnStatsModel::tr("Date/time");
    case ColumnType::Categorical:
        return ColumnStatsModel::tr("Categorical");
    case ColumnType::Text:
        break;
    }
    return ColumnStatsModel::tr("Text");
}

ColumnStatsModel::ColumnStatsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

ColumnStatsModel::~ColumnStatsModel() = default;

void ColumnStatsModel::setProfile(const ColumnProfile &profile)
{
    beginResetModel();
    m_profile = profile;
    endResetModel();
}

void ColumnStatsModel::clear()
{
    beginResetModel();
    m_profile.reset();
    endResetModel();
}

int ColumnStatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_profile ? 0 : StatisticCount;
}

int ColumnStatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ColumnStatsModel::statisticName(Statistic statistic)
{
    switch (statistic) {
    case Type:
        return tr("Type");
    case Count:
        return tr("Count");
    case Missing:
        return tr("Missing");
    case Distinct:
        return tr("Distinct");
    case Min:
        return tr("Min");
    case Max:
        return tr("Max");
    case Mean:
        return tr("Mean");
    case Std:
        return tr("Std");
    case TopValues:
        return tr("Top values");
    case StatisticCount:
        break;
    }
    return {};
}

QVariant ColumnStatsModel::rawValue(Statistic statistic) const
{
    const ColumnProfile &p = *m_profile;
    switch (statistic) {
    case Type:
        return columnTypeLabel(p.type);
    case Count:
        return p.count;
    case Missing:
        return p.missing;
    case Distinct:
        return p.distinct;
    case Min:
        return p.min.isEmpty() ? QVariant() : QVariant(p.min);
    case Max:
        return p.max.isEmpty() ? QVariant() : QVariant(p.max);
    case Mean:
        return p.mean ? QVariant(*p.mean) : QVariant();
    case Std:
        return p.std ? QVariant(*p.std) : QVariant();
    case TopValues: {
        QStringList values;
        for (const auto &[value, count] : p.topValues)
            values << value;
        return values;
    }
    case StatisticCount:
        break;
    }
    return {};
}

QString ColumnStatsModel::valueText(Statistic statistic) const
{
    const ColumnProfile &p = *m_profile;
    const QLocale locale;
    QString none = QStringLiteral("—");
    switch (statistic) {
    case Type:
        return columnTypeLabel(p.type);
    case Count:
        return locale.toString(p.count);
    case Missing:
        if (p.count <= 0 || p.missing == 0)
            return locale.toString(p.missing);
        return tr("%1 (%2%)")
            .arg(locale.toString(p.missing), formatPercent(100.0 * double(p.missing) / double(p.count)));
    case Distinct:
        return p.distinctExact ? locale.toString(p.distinct) : QString(u"≈ " % locale.toString(p.distinct));
    case Min:
        return p.min.isEmpty() ? none : p.min;
    case Max:
        return p.max.isEmpty() ? none : p.max;
    case Mean:
        if (!p.mean)
            return none;
        if (p.type == ColumnType::DateTime)
            return formatDateTime(*p.mean);
        if (p.type == ColumnType::Boolean)
            return tr("%1 (%2% true)").arg(formatNumber(*p.mean), formatNumber(*p.mean * 100.0));
        return formatNumber(*p.mean);
    case Std:
        if (!p.std)
            return none;
        return p.type == ColumnType::DateTime ? formatDuration(*p.std) : formatNumber(*p.std);
    case TopValues: {
        if (p.topValues.isEmpty())
            return none;
        QStringList parts;
        for (int i = 0; i < p.topValues.size() && i < kTopValuesInline; ++i) {
            const auto &[value, count] = p.topValues.at(i);
            parts << QString(value % u" (" % locale.toString(count) % u')');
        }
        QString text = parts.join(QStringLiteral(", "));
        if (p.topValues.size() > kTopValuesInline)
            text += QStringLiteral(", …");
        return text;
    }
    case StatisticCount:
        break;
    }
    return {};
}

QVariant ColumnStatsModel::data(const QModelIndex &index, int role) const
{
    if (!m_profile || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const auto statistic = Statistic(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == NameColumn ? statisticName(statistic) : valueText(statistic);
    case Qt::ToolTipRole:
        if (index.column() == ValueColumn && statistic == TopValues) {
            const QLocale locale;
            QStringList lines;
            for (const auto &[value, count] : m_profile->topValues)
                lines << QString(value % u": " % locale.toString(count));
            return lines.join(u'\n');
        }
        if (index.column() == ValueColumn)
            return valueText(statistic);
        return {};
    case ValueRole:
        return rawValue(statistic);
    default:
        return {};
    }
}

QVariant ColumnStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == NameColumn ? tr("Statistic") : tr("Value");
}

} // namespace kiln
