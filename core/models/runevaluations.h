#pragma once

#include "models/evaluationdata.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace kiln {

class RunTable;
class Workspace;

/// The "evaluation.json" of the runs a comparison shows. Each run's artifact is looked up
/// with a small query on the GUI connection (once for a run that has ended; again while a
/// run is active, as its evaluation comes at its end); the files are read and parsed on a
/// worker thread, once per blob (a blob never changes), and ready() says when they are in.
/// Lives on the GUI thread, with the workspace opened for it.
class RunEvaluations final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunEvaluations)

public:
    explicit RunEvaluations(QObject *parent = nullptr);
    ~RunEvaluations() override;

    /// The runs `rows` of `table`, in that order; reads the evaluations not read yet.
    void setRuns(Workspace *workspace, const RunTable &table, const std::vector<int> &rows);
    /// Files are being read; ready() follows.
    bool isLoading() const { return m_pending > 0; }
    const std::vector<qint64> &runIds() const { return m_runIds; }
    /// The run's evaluation; null when it has none (yet), while it is read, or when it
    /// could not be read (error()).
    std::shared_ptr<const EvaluationData> evaluation(qint64 runId) const;
    /// Why the run's evaluation could not be read; empty when nothing went wrong.
    QString error(qint64 runId) const;
    /// The runs (of runIds()) that have no evaluation artifact, or one that cannot be read.
    std::vector<qint64> runsWithoutEvaluation() const;
    /// The blob of each run's evaluation ("" for none), in runIds() order: what a view
    /// compares to know whether anything it shows changed.
    QStringList signature() const;

Q_SIGNALS:
    /// The files asked for are read: evaluation() and error() answer for every run.
    void ready();

private:
    struct Known
    {
        QString sha256; ///< empty: no evaluation artifact
        QString error; ///< the artifact lookup failed
        bool settled = false; ///< looked up after the run ended: it will not change
    };
    struct Read
    {
        QString sha256;
        std::shared_ptr<const EvaluationData> data;
        QString error;
    };

    QString m_databasePath;
    std::vector<qint64> m_runIds;
    QHash<qint64, Known> m_known;
    QHash<QString, Read> m_read; ///< by blob
    int m_pending = 0;
};

} // namespace kiln
