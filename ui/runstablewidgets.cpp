#include "runstablewidgets.h"

#include "models/runtablemodel.h"
#include "runcolors.h"
#include "theme.h"

#include <QAbstractScrollArea>
#include <QEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace kiln {

void RunSwatchDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const qint64 runId = index.data(RunTableModel::RunIdRole).toLongLong();
    if (runId <= 0)
        return;
    const int size = option->fontMetrics.height() * 2 / 3;
    const QColor color = runColor(runId);
    const quint64 key = (quint64(color.rgb()) << 8) | quint64(size);
    auto cached = m_swatches.constFind(key);
    if (cached == m_swatches.cend())
        cached = m_swatches.insert(key, swatch(color, size));
    option->icon = *cached;
    option->decorationSize = QSize(size, size);
    option->features |= QStyleOptionViewItem::HasDecoration;
}

QIcon RunSwatchDelegate::swatch(const QColor &color, int size)
{
    const qreal ratio = qGuiApp->devicePixelRatio();
    QPixmap pixmap(QSize(size, size) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(0, 0, size, size), 2, 2);
    return QIcon(pixmap);
}

RunsTableView::Overlay::Overlay(QAbstractScrollArea *area)
    : QWidget(area)
    , m_area(area)
{
    setObjectName(QStringLiteral("runsTableOverlay"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    area->viewport()->installEventFilter(this);
    hide();
}

void RunsTableView::Overlay::setNote(const QString &note, bool dim)
{
    m_note = note;
    m_dim = dim;
    setVisible(!note.isEmpty());
    setGeometry(m_area->viewport()->geometry());
    raise();
    update();
}

bool RunsTableView::Overlay::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize || event->type() == QEvent::Move)
        setGeometry(m_area->viewport()->geometry());
    return QWidget::eventFilter(watched, event);
}

void RunsTableView::Overlay::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    if (m_dim) {
        QColor veil = palette().color(QPalette::Base);
        veil.setAlpha(170);
        painter.fillRect(rect(), veil);
    }
    const int width = std::min(rect().width() - 32, 560);
    const QRect text = fontMetrics().boundingRect(QRect(0, 0, width, 0), Qt::TextWordWrap, m_note);
    QRect box(0, 0, text.width() + 28, text.height() + 20);
    box.moveCenter(QPoint(rect().center().x(), 28 + box.height() / 2));
    painter.setPen(QPen(m_dim ? theme::errorText() : palette().color(QPalette::Mid), 1));
    painter.setBrush(palette().color(QPalette::Base));
    painter.drawRoundedRect(QRectF(box).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    painter.setPen(m_dim ? theme::errorText() : palette().color(QPalette::Text));
    painter.drawText(box.adjusted(14, 10, -14, -10), Qt::AlignCenter | Qt::TextWordWrap, m_note);
}

RunsTableView::ColumnChooser::ColumnChooser(RunsTableView *view)
    : QFrame(view, Qt::Popup)
    , m_view(view)
    , m_search(new QLineEdit(this))
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("columnChooser"));
    setAttribute(Qt::WA_DeleteOnClose);
    setFrameShape(QFrame::StyledPanel);
    m_search->setObjectName(QStringLiteral("columnSearch"));
    m_search->setPlaceholderText(RunsTableView::tr("Search columns"));
    m_search->setClearButtonEnabled(true);
    m_list->setObjectName(QStringLiteral("columnList"));
    m_list->setUniformItemSizes(true);
    auto *showAll = new QPushButton(RunsTableView::tr("Show All"), this);
    auto *defaults = new QPushButton(RunsTableView::tr("Defaults"), this);
    showAll->setToolTip(RunsTableView::tr("Show every column the search finds"));
    defaults->setToolTip(RunsTableView::tr("Params and last metric values shown; min, max and ids hidden"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(showAll);
    buttons->addStretch(1);
    buttons->addWidget(defaults);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    populate();

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) { search(text); });
    connect(m_list, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        if (!m_populating && (item->flags() & Qt::ItemIsUserCheckable))
            m_view->setColumnShown(item->data(Qt::UserRole).toInt(), item->checkState() == Qt::Checked);
    });
    connect(showAll, &QPushButton::clicked, this, [this] {
        for (int i = 0; i < m_list->count(); ++i) {
            QListWidgetItem *item = m_list->item(i);
            if (!item->isHidden() && (item->flags() & Qt::ItemIsUserCheckable))
                item->setCheckState(Qt::Checked);
        }
    });
    connect(defaults, &QPushButton::clicked, this, [this] {
        m_view->m_shown.clear();
        m_view->syncColumns();
        populate();
    });
    m_search->setFocus();
}

void RunsTableView::ColumnChooser::populate()
{
    m_populating = true;
    m_list->clear();
    const RunTableModel *model = m_view->model();
    const QString sections[] = {RunsTableView::tr("Attributes"), RunsTableView::tr("Params"),
                                RunsTableView::tr("Metrics"), RunsTableView::tr("Tags")};
    for (int kind = 0; kind < 4; ++kind) {
        QListWidgetItem *heading = nullptr;
        for (int c = 0; c < model->columnCount(); ++c) {
            if (model->headerData(c, Qt::Horizontal, RunTableModel::ColumnKindRole).toInt() != kind
                || m_view->identity(c).isEmpty())
                continue;
            if (!heading) {
                heading = new QListWidgetItem(sections[kind], m_list);
                heading->setFlags(Qt::NoItemFlags);
                QFont font = heading->font();
                font.setBold(true);
                heading->setFont(font);
            }
            auto *item = new QListWidgetItem(model->headerData(c, Qt::Horizontal).toString(), m_list);
            item->setData(Qt::UserRole, c);
            item->setData(Qt::UserRole + 1, m_view->identity(c));
            item->setToolTip(model->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString());
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            item->setCheckState(m_view->isColumnShown(c) ? Qt::Checked : Qt::Unchecked);
        }
    }
    m_populating = false;
    search(m_search->text());
}

void RunsTableView::ColumnChooser::search(const QString &text)
{
    const QString needle = text.trimmed();
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        const bool heading = !(item->flags() & Qt::ItemIsUserCheckable);
        item->setHidden(heading ? !needle.isEmpty()
                                : !needle.isEmpty() && !item->text().contains(needle, Qt::CaseInsensitive)
                                && !item->data(Qt::UserRole + 1).toString().contains(needle, Qt::CaseInsensitive));
    }
}

} // namespace kiln
