#pragma once

#include <QIcon>
#include <QWidget>

class QLabel;

namespace kiln {

/// A centred icon, title and sentence for a place that has nothing to show yet: says what
/// will be there and what to do to fill it.
class EmptyStateWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmptyStateWidget)

public:
    explicit EmptyStateWidget(QWidget *parent = nullptr);
    EmptyStateWidget(const QIcon &icon, const QString &title, const QString &text, QWidget *parent = nullptr);

    void setIcon(const QIcon &icon);
    void setTitle(const QString &title);
    void setText(const QString &text);
    QString title() const;
    QString text() const;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void fitTextHeight();
    /// Renders the icon at the widget's device pixel ratio, in the palette's disabled look.
    void showIcon();

    QIcon m_iconSource;
    QLabel *m_icon = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_text = nullptr;
    QWidget *m_column = nullptr;
};

} // namespace kiln
