#pragma once

// Small helpers shared by the test executables. Header-only on purpose: each test links
// the library it tests, not a second copy of it.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QTemporaryDir>

namespace kiln::test {

/// Where tests write what a person may want to look at (screenshots, reports).
inline QString outputDir()
{
    QString dir = qEnvironmentVariable("KILN_TEST_OUTPUT");
    if (dir.isEmpty())
        dir = QStringLiteral(KILN_TEST_OUTPUT);
    QDir().mkpath(dir);
    return dir;
}

/// Writes `bytes` to `path` (creating folders); returns the path.
inline QString writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

/// Whether a process exists and is not a zombie waiting to be reaped (/proc/PID/stat).
inline bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.size() > close + 2 && text.at(close + 2) != 'Z';
}

/// The kilnctl binary built with these tests.
inline QString kilnctlPath()
{
    return QStringLiteral(KILN_KILNCTL_PATH);
}

} // namespace kiln::test
