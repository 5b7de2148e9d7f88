#pragma once

#include "compare/chartcontrols.h"
#include "compare/comparisonview.h"

#include <vector>

class QLabel;
class QScrollArea;

namespace kiln {

/// One metric's last value across the compared runs as horizontal bars, highest first, each
/// in its run's colour with the run's label and value; a list that scrolls, so 200 runs stay
/// readable. Exports draw every bar, not only the visible ones.
class BarsView final : public ComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BarsView)

public:
    struct Bar
    {
        qint64 runId = 0;
        QString label;
        double value = 0;
    };

    explicit BarsView(QWidget *parent = nullptr);
    ~BarsView() override;

    void setComparison(const Comparison &comparison) override;
    QStringList exportFormats() const override;
    bool exportTo(const QString &path, QString *error) const override;
    QJsonObject settings() const override; ///< {"metric": "validation/auc"}
    void restoreSettings(const QJsonObject &settings) override;

    QStringList metrics() const { return m_metricCombo->keys(); }
    QString currentMetric() const { return m_metricCombo->currentText(); }
    void setCurrentMetric(const QString &key);
    /// The bars shown, highest value first.
    const std::vector<Bar> &bars() const { return m_bars; }
    QComboBox *metricCombo() const { return m_metricCombo; }
    QWidget *canvas() const;

    /// Paints every bar into `target` (as tall as heightFor() says).
    void render(QPainter &painter, const QRect &target) const;
    int heightFor(int barCount) const;
    /// The bar row at `y` of a rendering, or -1.
    int barAt(int y) const;

private:
    class Canvas;

    void showBars();
    int rowHeight() const;

    Comparison m_comparison;
    std::vector<Bar> m_bars;
    chartcontrols::MetricChooser *m_metricCombo = nullptr;
    QLabel *m_note = nullptr;
    QScrollArea *m_scroll = nullptr;
    Canvas *m_canvas = nullptr;
};

} // namespace kiln
