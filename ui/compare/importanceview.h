#pragma once

#include "compare/evaluationcomparisonview.h"

class QCheckBox;
class QStandardItemModel;
class QTableView;

namespace kiln {

/// Feature importance across the compared runs as a heat table: a row per feature (most
/// important on average first; the top 30 unless "Show all" is ticked), a column with the
/// mean, then a column per run headed by the run and its colour. A feature a run did not
/// report is blank in its column and counts as 0 in the mean.
class ImportanceView final : public EvaluationComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportanceView)

public:
    static constexpr int kTopFeatures = 30;
    enum Role {
        IntensityRole = Qt::UserRole + 1, ///< the cell's importance over the largest shown, 0..1
        ValueRole, ///< the exact value (the feature's name in column 0), for CSV
        RunIdRole, ///< on run column headers
    };

    explicit ImportanceView(QWidget *parent = nullptr);
    ~ImportanceView() override;

    QStringList exportFormats() const override;
    /// CSV: the rows shown, exact values; PNG: the table as shown.
    bool exportTo(const QString &path, QString *error) const override;
    QJsonObject settings() const override; ///< {"showAll": bool}
    void restoreSettings(const QJsonObject &settings) override;

    QStandardItemModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QCheckBox *showAllBox() const { return m_showAll; }
    /// Every feature some run reported, most important on average first.
    QStringList features() const { return m_features; }

protected:
    void rebuild() override;

private:
    QStandardItemModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QCheckBox *m_showAll = nullptr;
    QStringList m_features;
};

} // namespace kiln
