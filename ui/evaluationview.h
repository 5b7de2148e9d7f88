#pragma once

#include "models/evaluationdata.h"

#include <QWidget>

#include <optional>

class QChartView;
class QGroupBox;
class QLabel;
class QStackedWidget;
class QTableView;

namespace kiln {

class ConfusionMatrixModel;
class TextTableModel;

/// The Evaluation tab: what the held-out test set says about the model. For a classifier:
/// the metrics, per-class precision/recall/F1/support, the confusion matrix as a heat map,
/// the ROC curves with their AUC, and the 20 most important features; for a regression: the
/// metrics and predicted against actual values. The artifacts are read on a worker.
class EvaluationView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EvaluationView)

public:
    explicit EvaluationView(QWidget *parent = nullptr);
    ~EvaluationView() override;

    /// Reads the evaluation from these blob files (empty paths: the run has none) and shows
    /// it; `emptyText` says why there is none.
    void showEvaluation(const QString &evaluationPath, const QString &predictionsPath, const QString &emptyText);
    void clear(const QString &emptyText = {});

    bool hasEvaluation() const { return m_data.has_value(); }
    const std::optional<EvaluationData> &evaluation() const { return m_data; }
    TextTableModel *metricsModel() const { return m_metrics; }
    TextTableModel *classModel() const { return m_classes; }
    ConfusionMatrixModel *confusionModel() const { return m_confusion; }
    QTableView *confusionView() const { return m_confusionView; }
    QChartView *rocView() const { return m_rocView; }
    QChartView *importanceView() const { return m_importanceView; }
    QChartView *scatterView() const { return m_scatterView; }

Q_SIGNALS:
    /// The evaluation was read (or failed to be) and is shown.
    void evaluationLoaded();

private:
    struct Loaded
    {
        QString error;
        std::optional<EvaluationData> data;
        PredictionPoints predictions;
    };
    static Loaded load(const QString &evaluationPath, const QString &predictionsPath);
    void show(const Loaded &loaded);
    void showClassification(const EvaluationData &report);
    void showRegression(const EvaluationData &report, const PredictionPoints &predictions);
    void showImportance(const EvaluationData &report);
    static QGroupBox *box(const QString &title, QWidget *content, QWidget *parent, bool grow = true);

    std::optional<EvaluationData> m_data;
    quint64 m_generation = 0;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    TextTableModel *m_metrics = nullptr;
    TextTableModel *m_classes = nullptr;
    ConfusionMatrixModel *m_confusion = nullptr;
    QTableView *m_metricsView = nullptr;
    QTableView *m_classesView = nullptr;
    QTableView *m_confusionView = nullptr;
    QChartView *m_rocView = nullptr;
    QChartView *m_importanceView = nullptr;
    QChartView *m_scatterView = nullptr;
    QGroupBox *m_classesBox = nullptr;
    QGroupBox *m_confusionBox = nullptr;
    QGroupBox *m_rocBox = nullptr;
    QGroupBox *m_scatterBox = nullptr;
    QGroupBox *m_importanceBox = nullptr;
};

} // namespace kiln
