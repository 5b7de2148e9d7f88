#pragma once

#include <QWidget>

namespace kiln {

/// A translucent sheet over its parent while files are dragged over the window, saying that
/// dropping them imports them. Lets every event through to the widgets below.
class DropOverlay final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DropOverlay)

public:
    explicit DropOverlay(QWidget *parent);

    void setText(const QString &text);
    QString text() const { return m_text; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
};

} // namespace kiln
