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

/// The kilnctl binary built with these tests.
inline QString kilnctlPath()
{
    return QStringLiteral(KILN_KILNCTL_PATH);
}

} // namespace kiln::test
