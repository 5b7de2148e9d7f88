#include "emptystatewidget.h"

#include "appearance.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace kiln {

namespace {
constexpr int kIconSize = 64;
constexpr int kTextWidth = 460;
} // namespace

EmptyStateWidget::EmptyStateWidget(QWidget *parent)
    : QWidget(parent)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_text(new QLabel(this))
{
    m_icon->setAlignment(Qt::AlignCenter);
    m_icon->setFixedHeight(kIconSize + 8);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);
    m_title->setObjectName(QStringLiteral("emptyStateTitle"));
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setObjectName(QStringLiteral("emptyStateText"));
    appearance::setTextRole(m_text, appearance::TextRole::Muted);
    // The labels fill a column of bounded width: aligned labels would get their one-line
    // size hint and clip wrapped text, while a filled column lets them wrap to its width.
    auto *column = new QWidget(this);
    m_column = column;
    column->setMaximumWidth(kTextWidth);
    column->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->setSpacing(10);
    columnLayout->addWidget(m_icon);
    columnLayout->addWidget(m_title);
    columnLayout->addWidget(m_text);

    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(column, 4);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->addStretch(2);
    layout->addLayout(row);
    layout->addStretch(3);
}

EmptyStateWidget::EmptyStateWidget(const QIcon &icon, const QString &title, const QString &text, QWidget *parent)
    : EmptyStateWidget(parent)
{
    setIcon(icon);
    setTitle(title);
    setText(text);
}

void EmptyStateWidget::setIcon(const QIcon &icon)
{
    m_iconSource = icon;
    showIcon();
    m_icon->setVisible(!icon.isNull());
    fitTextHeight();
}

void EmptyStateWidget::showIcon()
{
    if (!m_iconSource.isNull())
        m_icon->setPixmap(m_iconSource.pixmap(QSize(kIconSize, kIconSize), devicePixelRatioF(), QIcon::Disabled));
}

void EmptyStateWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // The disabled look is drawn from the palette.
    if (event->type() == QEvent::PaletteChange)
        showIcon();
}

void EmptyStateWidget::setTitle(const QString &title)
{
    m_title->setText(title);
    fitTextHeight();
}

void EmptyStateWidget::setText(const QString &text)
{
    m_text->setText(text);
    fitTextHeight();
}

void EmptyStateWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTextHeight();
}

void EmptyStateWidget::fitTextHeight()
{
    // The row around the column asks the column's height for the row's whole width, where
    // the text takes fewer lines than in the column; the column then got too little height
    // and squeezed the icon over the title. Its height at its real width is fixed instead.
    if (m_column->width() <= 0)
        return;
    const int height = m_column->layout()->totalHeightForWidth(m_column->width());
    if (height > 0 && height != m_column->height())
        m_column->setFixedHeight(height);
}

QString EmptyStateWidget::title() const
{
    return m_title->text();
}

QString EmptyStateWidget::text() const
{
    return m_text->text();
}

} // namespace kiln
