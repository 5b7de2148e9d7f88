#pragma once

// The runs table's helper widgets, private to RunsTableView (runstableview.cpp and
// runstablecolumns.cpp): the run colour swatch of the Id column, the note over the rows, and
// the Columns… popup.

#include "runstableview.h"

#include <QFrame>
#include <QHash>
#include <QIcon>
#include <QString>
#include <QStyledItemDelegate>
#include <QWidget>

class QAbstractScrollArea;
class QListWidget;

namespace kiln {

/// The Id cell: the run's colour (the one every chart draws it in) as a square before its number.
class RunSwatchDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    Q_DISABLE_COPY_MOVE(RunSwatchDelegate)

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    static QIcon swatch(const QColor &color, int size);

    mutable QHash<quint64, QIcon> m_swatches; // colour × size → icon: made once, not per paint
};

/// A note over the table's rows; dims them when they are not what the filter asks for.
class RunsTableView::Overlay final : public QWidget
{
public:
    explicit Overlay(QAbstractScrollArea *area);
    Q_DISABLE_COPY_MOVE(Overlay)

    void setNote(const QString &note, bool dim);
    QString note() const { return m_note; }
    bool dims() const { return m_dim && isVisible(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *) override;

private:
    QAbstractScrollArea *m_area;
    QString m_note;
    bool m_dim = false;
};

/// The popup of the Columns… button: every column present, checkable, with a search field.
class RunsTableView::ColumnChooser final : public QFrame
{
public:
    explicit ColumnChooser(RunsTableView *view);
    Q_DISABLE_COPY_MOVE(ColumnChooser)

private:
    void populate();
    void search(const QString &text);

    RunsTableView *m_view;
    QLineEdit *m_search;
    QListWidget *m_list;
    bool m_populating = false;
};

} // namespace kiln
