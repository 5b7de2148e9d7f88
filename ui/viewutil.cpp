#include "viewutil.h"

#include "appearance.h"
#include "theme.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln::viewutil {

void setUpReadOnlyTable(QTableView *view)
{
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setCornerButtonEnabled(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
}

QTableView *newReadOnlyTable(QAbstractItemModel *model, const QString &objectName, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setModel(model);
    setUpReadOnlyTable(view);
    return view;
}

void fitHeightToRows(QTableView *view, int maxRows)
{
    const int rows = view->model() ? std::min(view->model()->rowCount(), maxRows) : 0;
    const int header = !view->horizontalHeader()->isHidden() ? view->horizontalHeader()->sizeHint().height() : 0;
    // The columns share the width (no horizontal scrolling); a scroll bar only when rows are cut.
    view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    const bool allRows = view->model() && view->model()->rowCount() <= maxRows;
    view->setVerticalScrollBarPolicy(allRows ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
    const int height
        = header + std::max(rows, 1) * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth();
    view->setFixedHeight(height);
}

QGroupBox *newGroupBox(const QString &title, QWidget *content, QWidget *parent, bool grow)
{
    auto *box = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(content);
    if (!grow)
        layout->addStretch(1);
    return box;
}

QLabel *newNoteLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    appearance::setTextRole(label, appearance::TextRole::Muted);
    return label;
}

QWidget *newEmptyPage(QWidget *emptyState, QPushButton *button)
{
    auto *page = new QWidget;
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(button);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(page);
    layout->addStretch(2);
    layout->addWidget(emptyState);
    layout->addLayout(row);
    layout->addStretch(3);
    return page;
}

} // namespace kiln::viewutil
