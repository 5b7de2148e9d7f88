#pragma once

#include "compare/evaluationcomparisonview.h"

#include <QList>

class QScrollArea;
class QTableView;

namespace kiln {

class ConfusionMatrixModel;

/// The confusion matrices of the compared runs side by side, each titled with the run in
/// its colour and drawn as a heat map as on the run's Evaluation tab, in a row that scrolls
/// sideways. At most 24 runs are shown (a note says how many were selected).
class ConfusionView final : public EvaluationComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfusionView)

public:
    static constexpr int kMaxMatrices = 24;

    explicit ConfusionView(QWidget *parent = nullptr);
    ~ConfusionView() override;

    QStringList exportFormats() const override;
    /// PNG: every matrix as shown (the whole row, not only what the scroll area shows).
    /// CSV: one line per cell: run, true class, predicted class, count.
    bool exportTo(const QString &path, QString *error) const override;

    int matrixCount() const { return int(m_matrices.size()); }
    qint64 matrixRun(int index) const { return m_matrices.at(index).runId; }
    ConfusionMatrixModel *matrixModel(int index) const { return m_matrices.at(index).model; }
    QTableView *matrixView(int index) const { return m_matrices.at(index).view; }
    /// The page of matrices inside the scroll area.
    QWidget *page() const { return m_page; }

protected:
    std::size_t maxRuns() const override { return kMaxMatrices; }
    void rebuild() override;

private:
    struct Matrix
    {
        qint64 runId = 0;
        QString label;
        ConfusionMatrixModel *model = nullptr;
        QTableView *view = nullptr;
    };

    QScrollArea *m_scroll = nullptr;
    QWidget *m_page = nullptr;
    QList<Matrix> m_matrices;
};

} // namespace kiln
