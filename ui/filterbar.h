#pragma once

#include "data/values.h"
#include "models/rowfilter.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace kiln {

/// One row filter over a dataset view: column, operator, value. Enter or Apply asks for the
/// filter, Clear drops it; the bar also says how many rows pass ("120 of 1,000 rows").
class FilterBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterBar)

public:
    explicit FilterBar(QWidget *parent = nullptr);

    /// The columns to offer; clears the value and any error.
    void setColumns(const QStringList &names, const QList<ColumnType> &types);
    /// Follows the column the user looks at, unless a value is being typed for another.
    void suggestColumn(int column);
    void setCounts(qint64 shown, qint64 total, bool filtered);
    /// Shows why a filter was refused next to the value, until the value changes.
    void showError(const QString &message);
    /// Whether a filter is in force (enables Clear).
    void setActive(bool active);
    /// Shows `filter` as the active one (after a cancelled request, for instance).
    void showFilter(const RowFilter &filter);
    RowFilter currentFilter() const;

    static QString operatorText(FilterOperator op);

Q_SIGNALS:
    void filterRequested(const kiln::RowFilter &filter);
    void clearRequested();

private:
    void apply();
    void clear();
    void updateValueEnabled();
    void clearError();

    QComboBox *m_column = nullptr;
    QComboBox *m_operator = nullptr;
    QLineEdit *m_value = nullptr;
    QToolButton *m_apply = nullptr;
    QToolButton *m_clear = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_count = nullptr;
};

} // namespace kiln
