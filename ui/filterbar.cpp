#include "filterbar.h"

#include "appearance.h"
#include "models/columnstatsmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QToolButton>

namespace kiln {

namespace {

constexpr FilterOperator kOperators[] = {
    FilterOperator::Equal,       FilterOperator::NotEqual,  FilterOperator::Less,
    FilterOperator::LessOrEqual, FilterOperator::Greater,   FilterOperator::GreaterOrEqual,
    FilterOperator::Contains,    FilterOperator::IsMissing, FilterOperator::IsNotMissing,
};

QString operatorToolTip(FilterOperator op)
{
    switch (op) {
    case FilterOperator::Equal:
        return FilterBar::tr("equals (numbers and dates compare as such: 2 = 2.0)");
    case FilterOperator::NotEqual:
        return FilterBar::tr("differs from (missing values do not match)");
    case FilterOperator::Less:
        return FilterBar::tr("less than");
    case FilterOperator::LessOrEqual:
        return FilterBar::tr("less than or equal to");
    case FilterOperator::Greater:
        return FilterBar::tr("greater than");
    case FilterOperator::GreaterOrEqual:
        return FilterBar::tr("greater than or equal to");
    case FilterOperator::Contains:
        return FilterBar::tr("contains the text, ignoring case");
    case FilterOperator::IsMissing:
        return FilterBar::tr("is empty, NA, NaN, null or None");
    case FilterOperator::IsNotMissing:
        return FilterBar::tr("holds a value");
    }
    return {};
}

} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
    , m_column(new QComboBox(this))
    , m_operator(new QComboBox(this))
    , m_value(new QLineEdit(this))
    , m_apply(new QToolButton(this))
    , m_clear(new QToolButton(this))
    , m_error(new QLabel(this))
    , m_count(new QLabel(this))
{
    m_column->setObjectName(QStringLiteral("filterColumn"));
    m_operator->setObjectName(QStringLiteral("filterOperator"));
    m_value->setObjectName(QStringLiteral("filterValue"));
    m_apply->setObjectName(QStringLiteral("filterApply"));
    m_clear->setObjectName(QStringLiteral("filterClear"));
    m_count->setObjectName(QStringLiteral("filterCount"));
    m_error->setObjectName(QStringLiteral("filterError"));

    m_column->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_column->setMinimumContentsLength(8);
    m_column->setMaximumWidth(240);
    m_column->setToolTip(tr("Column to filter on"));
    for (const FilterOperator op : kOperators) {
        m_operator->addItem(operatorText(op), int(op));
        m_operator->setItemData(m_operator->count() - 1, operatorToolTip(op), Qt::ToolTipRole);
    }
    m_operator->setToolTip(tr("How to compare"));
    m_value->setPlaceholderText(tr("Filter value"));
    m_value->setToolTip(tr("The value to compare with; Enter applies the filter."));
    m_value->setClearButtonEnabled(true);
    m_value->setMinimumWidth(90);
    // File URLs dropped here belong to the window (import), not to this text field.
    m_value->setAcceptDrops(false);
    // Tool buttons: as clickable as push buttons at half the width, which the table needs more.
    m_apply->setText(tr("Apply"));
    m_clear->setText(tr("Clear"));
    m_apply->setToolTip(tr("Show only the rows that pass the filter (Enter)"));
    m_clear->setToolTip(tr("Show every row again"));
    m_clear->setEnabled(false);
    appearance::setTextRole(m_error, appearance::TextRole::Error);
    m_error->setVisible(false);
    m_count->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_column);
    layout->addWidget(m_operator);
    layout->addWidget(m_value, 1);
    layout->addWidget(m_apply);
    layout->addWidget(m_clear);
    layout->addWidget(m_error, 1);
    layout->addSpacing(6);
    layout->addWidget(m_count);

    connect(m_value, &QLineEdit::returnPressed, this, &FilterBar::apply);
    connect(m_apply, &QToolButton::clicked, this, &FilterBar::apply);
    connect(m_clear, &QToolButton::clicked, this, &FilterBar::clear);
    connect(m_value, &QLineEdit::textEdited, this, &FilterBar::clearError);
    connect(m_operator, &QComboBox::currentIndexChanged, this, [this] {
        clearError();
        updateValueEnabled();
    });
    updateValueEnabled();
}

QString FilterBar::operatorText(FilterOperator op)
{
    switch (op) {
    case FilterOperator::Equal:
        return QStringLiteral("=");
    case FilterOperator::NotEqual:
        return QStringLiteral("≠");
    case FilterOperator::Less:
        return QStringLiteral("<");
    case FilterOperator::LessOrEqual:
        return QStringLiteral("≤");
    case FilterOperator::Greater:
        return QStringLiteral(">");
    case FilterOperator::GreaterOrEqual:
        return QStringLiteral("≥");
    case FilterOperator::Contains:
        return tr("contains");
    case FilterOperator::IsMissing:
        return tr("is missing");
    case FilterOperator::IsNotMissing:
        return tr("is not missing");
    }
    return {};
}

void FilterBar::setColumns(const QStringList &names, const QList<ColumnType> &types)
{
    const QString previous = m_column->currentText();
    m_column->clear();
    for (int i = 0; i < names.size(); ++i) {
        m_column->addItem(names.at(i));
        if (i < types.size())
            m_column->setItemData(i, columnTypeLabel(types.at(i)), Qt::ToolTipRole);
    }
    const int again = m_column->findText(previous);
    if (again >= 0)
        m_column->setCurrentIndex(again);
    m_value->clear();
    m_clear->setEnabled(false);
    clearError();
    setEnabled(!names.isEmpty());
}

void FilterBar::suggestColumn(int column)
{
    if (column < 0 || column >= m_column->count() || !m_value->text().isEmpty() || m_clear->isEnabled())
        return;
    m_column->setCurrentIndex(column);
}

void FilterBar::setCounts(qint64 shown, qint64 total, bool filtered)
{
    const QLocale locale;
    if (filtered)
        m_count->setText(tr("%1 of %2 rows").arg(locale.toString(shown), locale.toString(total)));
    else
        m_count->setText(total == 1 ? tr("1 row") : tr("%1 rows").arg(locale.toString(total)));
}

void FilterBar::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setToolTip(message);
    m_error->setVisible(true);
    m_value->setFocus();
}

void FilterBar::setActive(bool active)
{
    m_clear->setEnabled(active);
}

void FilterBar::showFilter(const RowFilter &filter)
{
    setActive(filter.isActive());
    if (!filter.isActive())
        return;
    m_column->setCurrentIndex(filter.column);
    m_operator->setCurrentIndex(m_operator->findData(int(filter.op)));
    m_value->setText(filter.value);
}

RowFilter FilterBar::currentFilter() const
{
    RowFilter filter;
    filter.column = m_column->currentIndex();
    filter.op = FilterOperator(m_operator->currentData().toInt());
    filter.value = filterNeedsValue(filter.op) ? m_value->text() : QString();
    return filter;
}

void FilterBar::apply()
{
    clearError();
    const RowFilter filter = currentFilter();
    if (!filter.isActive())
        return;
    if (filterNeedsValue(filter.op) && filter.value.trimmed().isEmpty() && filter.op != FilterOperator::Contains) {
        showError(tr("Type a value to compare with, or choose “is missing”."));
        return;
    }
    Q_EMIT filterRequested(filter);
}

void FilterBar::clear()
{
    clearError();
    m_value->clear();
    m_clear->setEnabled(false);
    Q_EMIT clearRequested();
}

void FilterBar::updateValueEnabled()
{
    const bool needsValue = filterNeedsValue(FilterOperator(m_operator->currentData().toInt()));
    m_value->setEnabled(needsValue);
}

void FilterBar::clearError()
{
    m_error->clear();
    m_error->setVisible(false);
}

} // namespace kiln
