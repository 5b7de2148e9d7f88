#pragma once

#include "compare/comparisonview.h"

class QCheckBox;
class QComboBox;
class QLabel;

namespace kiln {

class PlotWidget;

/// Any two numeric columns of the runs table against each other (a param against a metric,
/// duration against a final loss…): one point per compared run in its colour; hovering a
/// point names the run. Drawn by PlotWidget in Points mode, so it zooms and exports like
/// the overlay.
class ScatterView final : public ComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScatterView)

public:
    explicit ScatterView(QWidget *parent = nullptr);
    ~ScatterView() override;

    void setComparison(const Comparison &comparison) override;
    QStringList exportFormats() const override;
    bool exportTo(const QString &path, QString *error) const override;
    /// {"x": "param:max_depth", "y": "metric:validation/auc:last", "log": false}
    QJsonObject settings() const override;
    void restoreSettings(const QJsonObject &settings) override;

    /// The column a chooser shows, as "kind:key[:stat]" ("attribute:duration").
    QString xColumn() const;
    QString yColumn() const;
    void setColumns(const QString &x, const QString &y);

    PlotWidget *plot() const { return m_plot; }
    QComboBox *xCombo() const { return m_xCombo; }
    QComboBox *yCombo() const { return m_yCombo; }

private:
    void updateChoices();
    void showPoints();

    Comparison m_comparison;
    QString m_wantedX; ///< chosen by the user or a saved view: kept while the runs lack it
    QString m_wantedY;
    QString m_shownColumns; ///< of the points on the chart
    QComboBox *m_xCombo = nullptr;
    QComboBox *m_yCombo = nullptr;
    QCheckBox *m_logScale = nullptr;
    QLabel *m_note = nullptr;
    PlotWidget *m_plot = nullptr;
};

} // namespace kiln
