#pragma once

#include <QLabel>

namespace kiln {

/// A one-line label that shortens its text with "…" to the width it gets, instead of
/// clipping it or widening the window; the whole text is in the tooltip.
class ElidedLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElidedLabel)

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setFullText(const QString &text);
    QString fullText() const { return m_fullText; }
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateElision();

    QString m_fullText;
};

} // namespace kiln
