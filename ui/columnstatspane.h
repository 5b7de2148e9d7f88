#pragma once

#include <QWidget>

class QChartView;
class QLabel;
class QTableView;

namespace kiln {

class ColumnStatsModel;
struct ColumnProfile;

/// The statistics of the column the user looks at: a small table (type, count, missing,
/// distinct, min, max, mean, std, top values) and a chart of its distribution.
class ColumnStatsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnStatsPane)

public:
    explicit ColumnStatsPane(QWidget *parent = nullptr);
    ~ColumnStatsPane() override;

    void showColumn(const ColumnProfile &profile);
    /// Empties the pane and says what would fill it.
    void clear(const QString &hint);
    ColumnStatsModel *model() const { return m_model; }
    QChartView *chartView() const { return m_chartView; }

private:
    ColumnStatsModel *m_model = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_hint = nullptr;
    QTableView *m_table = nullptr;
    QChartView *m_chartView = nullptr;
};

} // namespace kiln
