#include "confusionview.h"

#include "appearance.h"
#include "compare/compareutil.h"
#include "heatmapdelegate.h"
#include "models/confusionmatrixmodel.h"
#include "models/csv.h"
#include "models/runevaluations.h"
#include "runcolors.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kCellWidth = 56;

} // namespace

ConfusionView::ConfusionView(QWidget *parent)
    : EvaluationComparisonView(parent)
    , m_scroll(new QScrollArea(this))
    , m_page(new QWidget)
{
    setObjectName(QStringLiteral("confusionView"));
    noteLabel()->setObjectName(QStringLiteral("confusionNote"));
    m_page->setObjectName(QStringLiteral("confusionPage"));
    auto *row = new QHBoxLayout(m_page);
    row->setContentsMargins(8, 8, 8, 8);
    row->setSpacing(12);
    row->addStretch(1);
    m_scroll->setWidget(m_page);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    addNoteRow(layout, 6);
    layout->addWidget(m_scroll, 1);
    rebuild();
}

ConfusionView::~ConfusionView() = default;

void ConfusionView::rebuild()
{
    auto *row = qobject_cast<QHBoxLayout *>(m_page->layout());
    for (const Matrix &matrix : std::as_const(m_matrices))
        delete matrix.view->parentWidget(); // the run's box
    m_matrices.clear();

    RunEvaluations *evaluations = this->evaluations();
    std::vector<qint64> withoutMatrix;
    const QLocale locale;
    for (qint64 runId : evaluations->runIds()) {
        const auto evaluation = evaluations->evaluation(runId);
        if (!evaluation)
            continue;
        if (evaluation->kind != EvaluationData::Kind::Classification || evaluation->classes.isEmpty()) {
            withoutMatrix.push_back(runId);
            continue;
        }
        auto *box = new QFrame(m_page);
        box->setObjectName(QStringLiteral("confusionRun%1").arg(runId));
        box->setFrameShape(QFrame::StyledPanel);
        auto *boxLayout = new QVBoxLayout(box);
        boxLayout->setContentsMargins(8, 6, 8, 8);
        const QString label = runLabel(runId);
        auto *title = new QLabel(box);
        title->setTextFormat(Qt::RichText);
        title->setText(QStringLiteral("<span style=\"color:%1; font-size:large;\">●</span> <b>%2</b>")
                           .arg(runColor(runId).name(), label.toHtmlEscaped()));
        title->setToolTip(runDescription(runId));

        Matrix matrix;
        matrix.runId = runId;
        matrix.label = label;
        matrix.model = new ConfusionMatrixModel(box);
        matrix.model->setMatrix(evaluation->classes, evaluation->confusion);
        auto *view = new QTableView(box);
        matrix.view = view;
        view->setModel(matrix.model);
        view->setItemDelegate(new HeatMapDelegate(ConfusionMatrixModel::IntensityRole, view));
        view->setEditTriggers(QAbstractItemView::NoEditTriggers);
        view->setSelectionMode(QAbstractItemView::NoSelection);
        view->setFocusPolicy(Qt::NoFocus);
        view->setCornerButtonEnabled(false);
        view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view->horizontalHeader()->setDefaultSectionSize(kCellWidth);
        view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() * 2 + 6);
        view->setToolTip(tr("Rows: the true class. Columns: the predicted class."));
        const int classes = int(evaluation->classes.size());
        const int width = view->verticalHeader()->sizeHint().width() + classes * kCellWidth + 2 * view->frameWidth();
        const int height = view->horizontalHeader()->sizeHint().height()
            + classes * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth();
        view->setFixedSize(width, height);

        auto *total = new QLabel(
            tr("%1 test rows · rows: true class, columns: predicted").arg(locale.toString(matrix.model->total())), box);
        appearance::setTextRole(total, appearance::TextRole::Muted);
        title->setMaximumWidth(std::max(width, 220));
        boxLayout->addWidget(title);
        boxLayout->addWidget(view, 0, Qt::AlignLeft);
        boxLayout->addWidget(total);
        boxLayout->addStretch(1);
        row->insertWidget(row->count() - 1, box, 0, Qt::AlignTop);
        box->show(); // a child added to a shown page stays hidden until told
        m_matrices.append(matrix);
    }

    showNotes({runsNote(tr("No confusion matrix (not a classifier): %1"), withoutMatrix)},
              tr("Select runs that trained a classifier to compare their confusion matrices."));
}

QStringList ConfusionView::exportFormats() const
{
    return {QStringLiteral("png"), QStringLiteral("csv")};
}

bool ConfusionView::exportTo(const QString &path, QString *error) const
{
    return compareutil::exportTable(
        path, m_page,
        [this](QIODevice &device) {
            QByteArray bytes = csvRecord({tr("run"), tr("label"), tr("true"), tr("predicted"), tr("count")});
            for (const Matrix &matrix : m_matrices) {
                const ConfusionMatrixModel &model = *matrix.model;
                for (int t = 0; t < model.rowCount(); ++t) {
                    for (int p = 0; p < model.columnCount(); ++p) {
                        bytes += csvRecord({QString::number(matrix.runId), matrix.label,
                                            model.headerData(t, Qt::Vertical).toString(),
                                            model.headerData(p, Qt::Horizontal).toString(),
                                            model.index(t, p).data(ConfusionMatrixModel::CountRole).toString()});
                    }
                }
            }
            return writeCsvBytes(device, bytes);
        },
        error);
}

} // namespace kiln
