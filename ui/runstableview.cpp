#include "runstableview.h"
#include "appearance.h"
#include "runstablewidgets.h"

#include "models/csv.h"
#include "models/runtablemodel.h"
#include "theme.h"

#include <QAction>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QScrollBar>
#include <QShortcut>
#include <QStringListModel>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace kiln {

namespace {

constexpr int kFilterDelayMs = 300;

QString filterHelp()
{
    return RunsTableView::tr("Filter runs in MLflow's search syntax: metrics.NAME, params.NAME, tags.NAME, "
                             "attributes.status…, = != < <= > >=, LIKE, ILIKE, IN, IS NULL, AND, OR. Enter applies; "
                             "Escape clears (Ctrl+F).");
}

bool isNameChar(QChar c)
{
    static const QString stops = QStringLiteral("=<>!(),'\"");
    return !c.isSpace() && !stops.contains(c);
}

} // namespace

RunsTableView::RunsTableView(QWidget *parent)
    : QWidget(parent)
    , m_model(new RunTableModel(this))
    , m_toolBar(new QToolBar(this))
    , m_filterEdit(new QLineEdit(this))
    , m_filterTimer(new QTimer(this))
    , m_completer(new QCompleter(this))
    , m_errorLabel(new QLabel(this))
    , m_groupCombo(new QComboBox(this))
    , m_tree(new QTreeView(this))
    , m_status(new QLabel(this))
{
    createToolBar();
    createTree();

    m_errorLabel->setObjectName(QStringLiteral("filterError"));
    m_errorLabel->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    appearance::setTextRole(m_errorLabel, appearance::TextRole::Error);
    m_errorLabel->setContentsMargins(10, 0, 10, 4);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->hide();
    m_status->setObjectName(QStringLiteral("runsStatus"));
    m_status->setContentsMargins(10, 4, 10, 6);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_status);

    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_identities.clear();
        m_sized.clear();
        m_loadMilliseconds = -1;
        m_loadError.clear();
        syncColumns();
        updateStatus();
        updateOverlay();
        emitSelection();
    });
    connect(m_model, &RunTableModel::loaded, this, [this](double milliseconds) {
        if (m_loadMilliseconds < 0)
            m_loadMilliseconds = milliseconds; // the full load, not the polls after it
        m_loadError.clear();
        syncColumns();
        syncGroups();
        updateStatus();
        updateOverlay();
    });
    connect(m_model, &RunTableModel::loadFailed, this, [this](const QString &message) {
        m_loadError = message;
        updateStatus();
        updateOverlay();
    });
    connect(m_model, &RunTableModel::filterError, this, &RunsTableView::onFilterError);
    connect(m_model, &RunTableModel::filterApplied, this, [this] {
        updateStatus();
        updateOverlay();
    });
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &RunsTableView::onLayoutChanged);
    // Selected rows stay whole when a poll appends columns.
    connect(m_model, &QAbstractItemModel::columnsInserted, this, [this] {
        QItemSelectionModel *selection = m_tree->selectionModel();
        selection->select(selection->selection(), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    });

    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    // A line edit takes Ctrl+A for its text first (ShortcutOverride); elsewhere it selects every run.
    auto *selectAll = new QShortcut(QKeySequence::SelectAll, this);
    selectAll->setContext(Qt::WidgetWithChildrenShortcut);
    connect(selectAll, &QShortcut::activated, m_tree, &QTreeView::selectAll);
    auto *escape = new QShortcut(QKeySequence(Qt::Key_Escape), m_filterEdit);
    escape->setContext(Qt::WidgetShortcut);
    connect(escape, &QShortcut::activated, this, [this] { applyFilter({}); });

    syncColumns();
    updateStatus();
}

RunsTableView::~RunsTableView() = default;

void RunsTableView::createToolBar()
{
    m_toolBar->setObjectName(QStringLiteral("runsTableToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->setIconSize(QSize(16, 16));

    m_filterEdit->setObjectName(QStringLiteral("runFilter"));
    m_filterEdit->setPlaceholderText(QStringLiteral("metrics.accuracy > 0.9 and params.max_depth = '6'"));
    m_filterEdit->setToolTip(filterHelp());
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setAcceptDrops(false);
    m_filterEdit->setMinimumWidth(260);
    m_filterEdit->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_toolBar->addWidget(m_filterEdit);

    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(kFilterDelayMs);
    connect(m_filterTimer, &QTimer::timeout, this, [this] { applyFilter(m_filterEdit->text()); });
    connect(m_filterEdit, &QLineEdit::textEdited, this, [this] {
        m_filterTimer->start();
        complete();
    });
    connect(m_filterEdit, &QLineEdit::returnPressed, this, [this] { applyFilter(m_filterEdit->text()); });

    m_completer->setModel(new QStringListModel(m_completer));
    m_completer->setWidget(m_filterEdit);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &RunsTableView::insertCompletion);

    auto *groupLabel = new QLabel(tr("Group by"), this);
    groupLabel->setContentsMargins(10, 0, 4, 0);
    m_toolBar->addWidget(groupLabel);
    m_groupCombo->setObjectName(QStringLiteral("groupBy"));
    m_groupCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_groupCombo->setMinimumContentsLength(10);
    m_groupCombo->setToolTip(tr("One row per value of a param, tag or attribute, with its runs under it"));
    m_toolBar->addWidget(m_groupCombo);
    connect(m_groupCombo, &QComboBox::activated, this,
            [this](int index) { applyGroup(m_groupCombo->itemData(index).toString()); });

    m_columnsAction = m_toolBar->addAction(tr("Columns…"));
    m_columnsAction->setObjectName(QStringLiteral("chooseColumns"));
    m_columnsAction->setToolTip(tr("Choose the columns to show"));
    connect(m_columnsAction, &QAction::triggered, this, &RunsTableView::showColumnChooser);
    m_exportAction = m_toolBar->addAction(tr("Export CSV…"));
    m_exportAction->setObjectName(QStringLiteral("exportRunsCsv"));
    m_exportAction->setToolTip(tr("Save the shown columns of the shown runs as CSV"));
    connect(m_exportAction, &QAction::triggered, this, &RunsTableView::chooseExportFile);
    m_toolBar->addSeparator();
}

void RunsTableView::createTree()
{
    m_tree->setObjectName(QStringLiteral("runsTable"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setRootIsDecorated(false);
    m_tree->setIndentation(14);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setItemDelegateForColumn(int(RunAttribute::Id), new RunSwatchDelegate(m_tree));
    QHeaderView *header = m_tree->header();
    header->setStretchLastSection(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setMinimumSectionSize(36);
    header->setSortIndicator(int(RunAttribute::Id), Qt::DescendingOrder); // newest first
    m_tree->setSortingEnabled(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this, &RunsTableView::showHeaderMenu);
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this](int section, Qt::SortOrder order) {
        if (m_syncing || identity(section).isEmpty())
            return;
        m_sortIdentity = identity(section);
        m_sortOrder = order;
    });
    connect(header, &QHeaderView::sectionResized, this, [this](int section, int, int size) {
        if (!m_syncing && size > 0 && !identity(section).isEmpty())
            m_widths.insert(identity(section), size);
    });
    m_overlay = new Overlay(m_tree);

    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsTableView::emitSelection);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &RunsTableView::emitSelection);
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        if (const qint64 runId = m_model->runIdAt(index); runId != 0)
            Q_EMIT runActivated(runId);
    });
}

void RunsTableView::setDatabasePath(const QString &path)
{
    m_loadMilliseconds = -1;
    m_model->setDatabasePath(path);
    updateStatus();
    updateOverlay();
}

void RunsTableView::setExperiments(const QStringList &experiments)
{
    m_loadMilliseconds = -1;
    m_model->setExperiments(experiments);
    updateStatus();
}

void RunsTableView::reload()
{
    m_loadMilliseconds = -1;
    m_model->reload();
    updateStatus();
}

QList<qint64> RunsTableView::selectedRunIds() const
{
    // From the ranges, not selectedRows(): a row counts while any of its cells is selected (a
    // column a poll appends is not in the selection yet), and 100,000 rows are one range.
    std::vector<std::pair<int, int>> rows; // (group row or -1, row)
    const QItemSelection selection = m_tree->selectionModel()->selection();
    for (const QItemSelectionRange &range : selection) {
        const int parent = range.parent().isValid() ? range.parent().row() : -1;
        for (int row = range.top(); row <= range.bottom(); ++row)
            rows.emplace_back(parent, row);
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    QList<qint64> ids;
    ids.reserve(qsizetype(rows.size()));
    for (const auto &[parent, row] : rows) {
        const QModelIndex parentIndex = parent < 0 ? QModelIndex() : m_model->index(parent, 0);
        if (const qint64 id = m_model->runIdAt(m_model->index(row, 0, parentIndex)); id != 0)
            ids << id;
    }
    return ids;
}

qint64 RunsTableView::currentRunId() const
{
    return m_model->runIdAt(m_tree->currentIndex());
}

void RunsTableView::selectRuns(const QList<qint64> &runIds)
{
    QItemSelection selection;
    QModelIndex first;
    for (qint64 runId : runIds) {
        const QModelIndex index = m_model->indexForRun(runId);
        if (!index.isValid())
            continue;
        selection.select(index, index);
        if (index.parent().isValid())
            m_tree->expand(index.parent());
        if (!first.isValid())
            first = index;
    }
    QItemSelectionModel *model = m_tree->selectionModel();
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) {
        model->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        m_tree->scrollTo(first);
    }
}

bool RunsTableView::applyFilter(const QString &expression)
{
    m_filterTimer->stop();
    if (m_filterEdit->text() != expression)
        m_filterEdit->setText(expression);
    if (m_filterError.isEmpty() && expression == m_model->filter().expression())
        return true;
    return m_model->setFilter(expression);
}

void RunsTableView::onFilterError(const QString &error, int position)
{
    m_filterError = error;
    if (error.isEmpty()) {
        m_errorLabel->hide();
        m_filterEdit->setStyleSheet({});
    } else {
        // The expression around the failure with a caret under it, then the message.
        QString expression = m_filterEdit->text();
        expression.replace(u'\t', u' ').replace(u'\n', u' ');
        const int start = std::max(0, position - 60);
        QString shown = expression.mid(start, 100);
        int caret = position - start;
        if (start > 0) {
            shown.prepend(u'…');
            ++caret;
        }
        m_errorLabel->setText(shown + u'\n' + QString(caret, u' ') + QStringLiteral("^ ") + error);
        m_errorLabel->show();
        m_filterEdit->setStyleSheet(
            QStringLiteral("QLineEdit { border: 1px solid %1; background: %2; }")
                .arg(theme::errorText().name(),
                     theme::blend(m_filterEdit->palette().color(QPalette::Base), theme::errorText(), 0.15).name()));
    }
    m_filterEdit->setToolTip(error.isEmpty() ? filterHelp() : error);
    updateStatus();
    updateOverlay();
}

void RunsTableView::onLayoutChanged()
{
    syncGroups();
    updateStatus();
    updateOverlay();
    emitSelection();
}

void RunsTableView::refreshCompleter()
{
    QStringList names;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const QString name = m_model->headerData(c, Qt::Horizontal, RunTableModel::FilterNameRole).toString();
        if (!name.isEmpty() && m_model->tableColumn(c) >= 0)
            names << name;
    }
    auto *model = static_cast<QStringListModel *>(m_completer->model());
    if (model->stringList() != names)
        model->setStringList(names);
}

void RunsTableView::complete()
{
    const QString text = m_filterEdit->text();
    const int cursor = m_filterEdit->cursorPosition();
    int start = cursor;
    while (start > 0 && isNameChar(text.at(start - 1)))
        --start;
    const QString word = text.mid(start, cursor - start);
    const bool inString = text.left(start).count(u'\'') % 2 == 1;
    if (word.isEmpty() || inString || word.at(0).isDigit()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(word);
    if (m_completer->completionCount() == 0
        || (m_completer->completionCount() == 1 && m_completer->currentCompletion() == word)) {
        m_completer->popup()->hide();
        return;
    }
    // Under the word being typed (cursorRect() is not public; long texts scroll, hence the clamp).
    const int x
        = std::min(m_filterEdit->fontMetrics().horizontalAdvance(text.left(start)) + 6, m_filterEdit->width() / 2);
    const int width
        = m_completer->popup()->sizeHintForColumn(0) + m_completer->popup()->verticalScrollBar()->sizeHint().width();
    m_completer->complete(QRect(x, 0, width, m_filterEdit->height()));
}

void RunsTableView::insertCompletion(const QString &name)
{
    QString text = m_filterEdit->text();
    const int cursor = m_filterEdit->cursorPosition();
    int start = cursor;
    while (start > 0 && isNameChar(text.at(start - 1)))
        --start;
    text.replace(start, cursor - start, name);
    m_filterEdit->setText(text);
    m_filterEdit->setCursorPosition(start + int(name.size()));
    m_filterTimer->start();
}

void RunsTableView::chooseExportFile()
{
    auto *dialog = new QFileDialog(this, tr("Export Runs as CSV"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("CSV files (*.csv)"));
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    dialog->selectFile(QStringLiteral("runs.csv"));
    connect(dialog, &QFileDialog::fileSelected, this, &RunsTableView::exportCsv);
    dialog->open();
}

void RunsTableView::exportCsv(const QString &path)
{
    // A refusal is answered later too, as every export is: callers wait for one signal.
    const auto refuse = [this, &path](const QString &reason) {
        const QString error = tr("cannot export the runs to %1: %2").arg(QDir::toNativeSeparators(path), reason);
        QMetaObject::invokeMethod(
            this, [this, path, error] { finishExport(path, error); }, Qt::QueuedConnection);
    };
    if (m_exportWatcher)
        return refuse(tr("the export to %1 is still being written").arg(QDir::toNativeSeparators(m_exportPath)));
    const QHeaderView *header = m_tree->header();
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns << logical;
    }
    if (columns.isEmpty())
        return refuse(tr("no column is shown"));

    m_exportPath = path;
    m_exportWatcher = new QFutureWatcher<Status>(this);
    connect(m_exportWatcher, &QFutureWatcherBase::finished, this, [this, path] {
        const Status written = m_exportWatcher->result();
        m_exportWatcher->deleteLater();
        m_exportWatcher = nullptr;
        m_exportPath.clear();
        finishExport(path, written ? QString() : written.errorMessage());
    });
    // Formatting 100,000 runs takes a second: off the GUI thread, on the snapshot shown now.
    m_exportWatcher->setFuture(
        QtConcurrent::run([path, write = m_model->csvWriter(columns)] { return writeCsvFile(path, write); }));
    updateStatus();
}

void RunsTableView::finishExport(const QString &path, const QString &error)
{
    updateStatus();
    if (!error.isEmpty()) {
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Export failed"),
                                    tr("The runs could not be exported.\n%1").arg(error), QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT csvExported(path, error.isEmpty(), error);
}

QString RunsTableView::statusText() const
{
    if (!m_loadError.isEmpty())
        return tr("Could not read the runs: %1").arg(m_loadError);
    const std::shared_ptr<const RunTable> table = m_model->table();
    if (!table)
        return m_model->isLoading() ? tr("Loading runs…") : QString();
    const int total = m_model->runCount();
    const bool filtered = !m_model->filter().isEmpty();
    QStringList parts;
    if (filtered || m_model->isBrushed())
        parts << tr("%L1 of %L2 runs").arg(m_model->visibleRunCount()).arg(total);
    else
        parts << (total == 1 ? tr("1 run") : tr("%L1 runs").arg(total));
    if (filtered)
        parts << tr("filtered");
    if (m_model->isBrushed())
        parts << tr("brushed in a chart");
    if (!m_filterError.isEmpty())
        parts << tr("the filter typed has an error");
    if (const QStringList unknown = m_model->filter().unknownKeys(*table); !unknown.isEmpty())
        parts << tr("no run has %1").arg(unknown.join(QLatin1String(", ")));
    if (m_model->isLoading())
        parts << tr("reloading…");
    else if (m_loadMilliseconds >= 100)
        parts << tr("loaded in %1 s").arg(m_loadMilliseconds / 1000.0, 0, 'f', 1);
    else if (m_loadMilliseconds >= 0)
        parts << tr("loaded in %1 ms").arg(qRound(m_loadMilliseconds));
    if (m_exportWatcher)
        parts << tr("exporting to %1…").arg(QFileInfo(m_exportPath).fileName());
    return parts.join(QStringLiteral(" · "));
}

void RunsTableView::updateStatus()
{
    m_status->setText(statusText());
    appearance::setTextRole(m_status,
                            m_loadError.isEmpty() ? appearance::TextRole::Muted : appearance::TextRole::Error);
    m_exportAction->setEnabled(m_model->visibleRunCount() > 0 && !m_exportWatcher);
}

void RunsTableView::updateOverlay()
{
    const std::shared_ptr<const RunTable> table = m_model->table();
    if (!m_filterError.isEmpty() && table) {
        const QString last = m_model->filter().expression().trimmed();
        m_overlay->setNote(last.isEmpty() ? tr("The filter has an error (see above). These are all the runs, as "
                                               "before it: none has been filtered out.")
                                          : tr("The filter has an error (see above). These are the runs of the "
                                               "last valid filter:\n%1")
                                                .arg(last),
                           true);
    } else if (!table) {
        m_overlay->setNote(m_model->isLoading() ? tr("Loading runs…") : QString(), false);
    } else if (m_model->runCount() == 0) {
        m_overlay->setNote(tr("No runs yet. Train a model or start a run to see it here."), false);
    } else if (m_model->visibleRunCount() == 0) {
        const QStringList unknown = m_model->filter().unknownKeys(*table);
        m_overlay->setNote(unknown.isEmpty()
                               ? tr("No run matches the filter.")
                               : tr("No run matches the filter: no run has %1.").arg(unknown.join(QLatin1String(", "))),
                           false);
    } else {
        m_overlay->setNote({}, false);
    }
}

void RunsTableView::emitSelection()
{
    const QList<qint64> selection = selectedRunIds();
    if (selection != m_selection) {
        m_selection = selection;
        Q_EMIT selectedRunsChanged(selection);
    }
    const qint64 current = currentRunId();
    if (current != m_currentRun) {
        m_currentRun = current;
        Q_EMIT currentRunChanged(current);
    }
}

} // namespace kiln
