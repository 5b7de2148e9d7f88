#pragma once

#include <QByteArray>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace kiln {

/// The Log tab: the run's stdout/stderr and Kiln's own lines, read-only and monospaced. While
/// the run goes on it tails the live log file (reading only what was appended, a bounded
/// amount per poll); a run that ended shows its stored log. Very long logs show their end.
class RunLogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunLogView)

public:
    explicit RunLogView(QWidget *parent = nullptr);
    ~RunLogView() override;

    /// Shows the log at `path` (the live file, or the stored artifact), from its end when it
    /// is long. `emptyText` is shown when there is none.
    void showLog(const QString &path, const QString &emptyText = {});
    /// Appends what was written to the file since the last read.
    void poll();
    void clear();

    QPlainTextEdit *editor() const { return m_editor; }
    QString path() const { return m_path; }

private:
    void read(qint64 maxBytes);
    void append(const QByteArray &bytes);

    QString m_path;
    qint64 m_offset = 0;
    QByteArray m_partialLine; // the end of the file after its last newline, until the rest comes
    QLabel *m_note = nullptr;
    QPlainTextEdit *m_editor = nullptr;
};

} // namespace kiln
