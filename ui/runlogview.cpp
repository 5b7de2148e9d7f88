#include "runlogview.h"

#include "appearance.h"
#include "theme.h"

#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QVBoxLayout>

namespace kiln {

namespace {

// What the first read shows of a long log, and the most one poll reads: bounded either way,
// so a run that prints gigabytes never stalls the window.
constexpr qint64 kInitialTailBytes = 2 * 1024 * 1024;
constexpr qint64 kPollBytes = 1024 * 1024;
constexpr int kMaxLines = 200000;

} // namespace

RunLogView::RunLogView(QWidget *parent)
    : QWidget(parent)
    , m_note(new QLabel(this))
    , m_editor(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("runLog"));
    m_editor->setObjectName(QStringLiteral("runLogText"));
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setMaximumBlockCount(kMaxLines);
    m_editor->setUndoRedoEnabled(false);
    m_editor->setFrameShape(QFrame::NoFrame);
    m_note->setObjectName(QStringLiteral("logNote"));
    m_note->setWordWrap(true);
    m_note->setContentsMargins(8, 4, 8, 4);
    appearance::setTextRole(m_note, appearance::TextRole::Muted);
    m_note->hide();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_note);
    layout->addWidget(m_editor, 1);
}

RunLogView::~RunLogView() = default;

void RunLogView::clear()
{
    m_path.clear();
    m_offset = 0;
    m_partialLine.clear();
    m_editor->clear();
    m_note->hide();
}

void RunLogView::showLog(const QString &path, const QString &emptyText)
{
    clear();
    m_path = path;
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        m_editor->setPlaceholderText(emptyText.isEmpty() ? tr("This run has no log yet.") : emptyText);
        return;
    }
    m_editor->setPlaceholderText(emptyText);
    const qint64 size = file.size();
    if (size > kInitialTailBytes) {
        m_offset = size - kInitialTailBytes;
        file.seek(m_offset);
        // Start at a line's beginning.
        const QByteArray head = file.readLine();
        m_offset += head.size();
        m_note->setText(tr("Showing the last %1 of a %2 log; the whole log is the artifact log.txt.")
                            .arg(QLocale().formattedDataSize(size - m_offset), QLocale().formattedDataSize(size)));
        m_note->show();
    }
    read(kInitialTailBytes);
    m_editor->moveCursor(QTextCursor::End);
}

void RunLogView::poll()
{
    read(kPollBytes);
}

void RunLogView::read(qint64 maxBytes)
{
    if (m_path.isEmpty())
        return;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly) || file.size() <= m_offset)
        return;
    if (file.size() - m_offset > kInitialTailBytes) {
        // The run writes faster than a poll reads: jump to the end rather than fall behind.
        const qint64 skipFrom = m_offset;
        m_offset = file.size() - kInitialTailBytes;
        file.seek(m_offset);
        m_offset += file.readLine().size();
        m_partialLine.clear();
        m_editor->appendPlainText(tr("… %1 of log skipped (the whole log is the artifact log.txt) …")
                                      .arg(QLocale().formattedDataSize(m_offset - skipFrom)));
        maxBytes = kInitialTailBytes;
    }
    file.seek(m_offset);
    const QByteArray bytes = file.read(maxBytes);
    m_offset += bytes.size();
    append(bytes);
}

void RunLogView::append(const QByteArray &bytes)
{
    QByteArray text = m_partialLine + bytes;
    const qsizetype lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
        m_partialLine = text;
        return;
    }
    m_partialLine = text.mid(lastNewline + 1);
    text.truncate(lastNewline);
    QScrollBar *bar = m_editor->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    // One block per call: appendPlainText adds the lines as one paragraph break each.
    m_editor->appendPlainText(QString::fromUtf8(text));
    if (atEnd)
        bar->setValue(bar->maximum());
}

} // namespace kiln
