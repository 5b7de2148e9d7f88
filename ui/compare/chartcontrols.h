#pragma once

#include "compare/comparisonview.h"

#include <QComboBox>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

class QHBoxLayout;
class QLabel;
class QWidget;

/// What the chart views of the comparison area (overlay, scatter, bars) share: their layout
/// of a row of controls over a note over the chart, the note about runs left out, and the
/// metric chooser. GUI thread.
namespace kiln::chartcontrols {

/// Widgets that follow a label in a row of controls ("Smoothing:", slider, value).
struct Control
{
    QString label; ///< none: the widgets only (a check box names itself)
    QList<QWidget *> widgets;
};

/// A muted, word-wrapped note, hidden until it has text.
QLabel *createNote(const QString &objectName, QWidget *parent);
/// Shows `text` in `note`; hides it when empty.
void setNote(QLabel *note, const QString &text);
/// Lays `view` out: `controls` in a row on top (a gap between them, a stretch after them),
/// `note` under it and `content` filling the rest. Returns the row, for widgets that go at
/// its right end.
QHBoxLayout *layOutView(QWidget *view, const QList<Control> &controls, QLabel *note, QWidget *content);

/// "#12, #15, #20, …": the runs' numbers, the first twelve, for notes that name runs left out.
QString runNumbers(const std::vector<qint64> &runIds);

/// The metric keys at least one compared run has a value of, in the table's order: step
/// metrics and results, or (`stepSeriesOnly`) only the metrics some run logs per step.
QStringList comparedMetricKeys(const Comparison &comparison, bool stepSeriesOnly = false);
/// The key a view starts with: the first of the model's own metrics (not Kiln's CPU and
/// memory samples), else the first.
QString defaultMetricKey(const QStringList &keys);

/// The metric chooser of a chart view. It offers the keys it is given and shows the metric
/// chosen (by the user, or setWanted() for a saved view) whenever the keys have it, else the
/// one it shows, else defaultMetricKey(); while the runs lack the chosen metric it is kept.
/// A change of the metric shown is signalled (currentTextChanged), refilling the list is not.
class MetricChooser final : public QComboBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricChooser)

public:
    explicit MetricChooser(const QString &objectName, QWidget *parent = nullptr);
    ~MetricChooser() override;

    QStringList keys() const;
    /// Offers `keys` (the current one stays when it remains) and shows the one to show.
    void setKeys(const QStringList &keys);
    /// The metric chosen, else the one shown: what a saved view keeps.
    QString wanted() const;
    /// Chooses `key`: shown now when the keys have it, else once they do.
    void setWanted(const QString &key);

private:
    QString m_wanted;
};

} // namespace kiln::chartcontrols
