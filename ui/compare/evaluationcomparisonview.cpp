#include "compare/evaluationcomparisonview.h"

#include "appearance.h"
#include "models/runevaluations.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace kiln {

EvaluationComparisonView::EvaluationComparisonView(QWidget *parent)
    : ComparisonView(parent)
    , m_evaluations(new RunEvaluations(this))
    , m_note(new QLabel(this))
{
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    appearance::setTextRole(m_note, appearance::TextRole::Muted);
    m_note->hide();
    connect(m_evaluations, &RunEvaluations::ready, this, &EvaluationComparisonView::maybeRebuild);
}

EvaluationComparisonView::~EvaluationComparisonView() = default;

void EvaluationComparisonView::setComparison(const Comparison &comparison)
{
    m_snapshot = comparison.table;
    m_selected = m_snapshot ? int(comparison.rows.size()) : 0;
    m_rows.clear();
    if (m_snapshot) {
        m_rows.assign(comparison.rows.cbegin(),
                      comparison.rows.cbegin() + qsizetype(std::min(comparison.rows.size(), maxRuns())));
    }
    m_differing.clear();
    if (m_snapshot) {
        for (int column : m_snapshot->differingColumns(m_rows)) {
            if (m_snapshot->column(column).kind == RunColumnKind::Param)
                m_differing.push_back(column);
        }
        m_evaluations->setRuns(comparison.workspace, *m_snapshot, m_rows);
    } else {
        m_evaluations->setRuns(comparison.workspace, RunTable(), {});
    }
    maybeRebuild();
}

bool EvaluationComparisonView::isLoading() const
{
    return m_evaluations->isLoading();
}

void EvaluationComparisonView::maybeRebuild()
{
    // What the view would show: the runs, their evaluations' blobs, which of them are read.
    QStringList signature {QString::number(m_selected), isLoading() ? QStringLiteral("loading") : QString()};
    const QStringList blobs = m_evaluations->signature();
    for (std::size_t i = 0; i < m_evaluations->runIds().size(); ++i) {
        const qint64 runId = m_evaluations->runIds()[i];
        signature << QStringLiteral("%1:%2:%3:%4")
                         .arg(runId)
                         .arg(blobs.value(qsizetype(i)))
                         .arg(m_evaluations->evaluation(runId) ? 1 : 0)
                         .arg(m_evaluations->error(runId));
    }
    if (signature == m_shownSignature)
        return;
    m_shownSignature = signature;
    refresh();
}

void EvaluationComparisonView::refresh()
{
    rebuild();
    Q_EMIT shown();
}

QString EvaluationComparisonView::runLabel(qint64 runId) const
{
    constexpr std::size_t kLabelParams = 3;
    const int row = m_snapshot ? m_snapshot->rowOfRun(runId) : -1;
    if (row < 0)
        return QStringLiteral("#%1").arg(runId);
    const QString name = m_snapshot->column(int(RunAttribute::Name)).displayText(row);
    if (!name.isEmpty())
        return QStringLiteral("#%1 %2").arg(runId).arg(name);
    const std::vector<int> columns(m_differing.cbegin(),
                                   m_differing.cbegin() + qsizetype(std::min(m_differing.size(), kLabelParams)));
    return m_snapshot->legendLabel(row, columns);
}

QString EvaluationComparisonView::runDescription(qint64 runId) const
{
    const int row = m_snapshot ? m_snapshot->rowOfRun(runId) : -1;
    return row < 0 ? QStringLiteral("#%1").arg(runId) : m_snapshot->legendLabel(row, m_differing);
}

QString EvaluationComparisonView::runList(const std::vector<qint64> &runIds)
{
    constexpr std::size_t kListedRuns = 12;
    QStringList names;
    for (std::size_t i = 0; i < runIds.size() && i < kListedRuns; ++i)
        names << QStringLiteral("#%1").arg(runIds[i]);
    if (runIds.size() > kListedRuns)
        names << QStringLiteral("…");
    return names.join(QStringLiteral(", "));
}

QStringList EvaluationComparisonView::commonNotes() const
{
    QStringList notes;
    if (m_selected > int(m_rows.size()))
        notes << tr("Showing the first %1 of %2 selected runs.").arg(m_rows.size()).arg(m_selected);
    if (isLoading())
        notes << tr("Reading the evaluations…");
    std::vector<qint64> missing;
    std::vector<qint64> unreadable;
    QStringList errors;
    for (qint64 runId : m_evaluations->runsWithoutEvaluation()) {
        const QString error = m_evaluations->error(runId);
        if (error.isEmpty()) {
            missing.push_back(runId);
        } else {
            unreadable.push_back(runId);
            errors << error;
        }
    }
    if (!missing.empty()) {
        notes << (missing.size() == 1 ? tr("1 run has no evaluation: %1").arg(runList(missing))
                                      : tr("%1 runs have no evaluation: %2").arg(missing.size()).arg(runList(missing)));
    }
    if (!unreadable.empty()) {
        notes << tr("The evaluation of %1 cannot be read: %2").arg(runList(unreadable), errors.constFirst());
    }
    return notes;
}

QString EvaluationComparisonView::runsNote(const QString &text, const std::vector<qint64> &runIds)
{
    return runIds.empty() ? QString() : text.arg(runList(runIds));
}

void EvaluationComparisonView::showNotes(const QStringList &notes, const QString &hint)
{
    QStringList lines = commonNotes();
    for (const QString &note : notes) {
        if (!note.isEmpty())
            lines << note;
    }
    if (m_rows.empty())
        lines << hint;
    m_note->setText(lines.join(u'\n'));
    m_note->setVisible(!lines.isEmpty());
}

void EvaluationComparisonView::addNoteRow(QVBoxLayout *layout, int top)
{
    auto *row = new QHBoxLayout;
    row->setContentsMargins(8, top, 8, 0);
    row->addWidget(m_note);
    layout->addLayout(row);
}

} // namespace kiln
