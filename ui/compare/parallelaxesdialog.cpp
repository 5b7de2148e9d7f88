#include "compare/parallelaxesdialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace kiln {

ParallelAxesDialog::ParallelAxesDialog(const RunTable &table, const std::vector<int> &rows,
                                       const QList<ParallelAxisKey> &shown, QWidget *parent)
    : QDialog(parent)
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("parallelAxesDialog"));
    setWindowTitle(tr("Axes"));
    auto *note = new QLabel(tr("Tick the columns to show as axes; drag them into the order you want."), this);
    note->setWordWrap(true);
    m_list->setObjectName(QStringLiteral("parallelAxesList"));
    m_list->setDragDropMode(QAbstractItemView::InternalMove);
    for (const ParallelAxisKey &key : shown) {
        if (const int column = table.findColumn(key.kind, key.key, key.stat); column >= 0)
            addItem(key, table.column(column), true);
    }
    // Every other column some compared run has a value in.
    for (int c = 0; c < table.columnCount(); ++c) {
        const RunTable::Column &column = table.column(c);
        // Of the attributes, those that say how a run went (column index == RunAttribute).
        if (column.kind == RunColumnKind::Attribute && c != int(RunAttribute::Status) && c != int(RunAttribute::Source)
            && c != int(RunAttribute::Dataset) && c != int(RunAttribute::Duration))
            continue;
        const ParallelAxisKey key = ParallelAxisKey::of(column);
        if (shown.contains(key)
            || std::all_of(rows.cbegin(), rows.cend(), [&](int row) { return column.isMissing(row); }))
            continue;
        addItem(key, column, false);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *defaults = buttons->addButton(tr("Default axes"), QDialogButtonBox::ResetRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(defaults, &QPushButton::clicked, this, [this] {
        Q_EMIT defaultsRequested();
        reject();
    });
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(380, 480);
}

ParallelAxesDialog::~ParallelAxesDialog() = default;

void ParallelAxesDialog::addItem(const ParallelAxisKey &key, const RunTable::Column &column, bool checked)
{
    const QString prefix = column.kind == RunColumnKind::Param ? tr("param")
        : column.kind == RunColumnKind::Metric                 ? tr("metric")
        : column.kind == RunColumnKind::Tag                    ? tr("tag")
                                                               : tr("run");
    auto *item = new QListWidgetItem(QStringLiteral("%1 · %2").arg(prefix, column.label()), m_list);
    item->setData(Qt::UserRole, key.toJson());
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsDragEnabled);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

QList<ParallelAxisKey> ParallelAxesDialog::chosenAxes() const
{
    QList<ParallelAxisKey> chosen;
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem *item = m_list->item(i);
        if (item->checkState() != Qt::Checked)
            continue;
        if (const std::optional<ParallelAxisKey> key
            = ParallelAxisKey::fromJson(item->data(Qt::UserRole).toJsonObject()))
            chosen << *key;
    }
    return chosen;
}

} // namespace kiln
