#include "runs/processidentity.h"

#include <QCoreApplication>
#include <QFile>
#include <QSysInfo>

namespace kiln {
namespace {

QString bootId()
{
    QFile file(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll().trimmed()) : QString();
}

/// Field 22 of /proc/PID/stat: start time in clock ticks since boot. The command name (field
/// 2) may hold spaces and parentheses, so count fields after its closing parenthesis.
QString startTicks(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray stat = file.readAll();
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return {};
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // After ")": field 3 is at index 0, so field 22 is at index 19.
    return fields.size() > 19 ? QString::fromLatin1(fields.at(19)) : QString();
}

} // namespace

QString ProcessIdentity::hostName()
{
    return QSysInfo::machineHostName();
}

ProcessIdentity ProcessIdentity::current()
{
    ProcessIdentity id;
    id.host = hostName();
    id.pid = QCoreApplication::applicationPid();
    id.start = bootId() + QLatin1Char('/') + startTicks(id.pid);
    return id;
}

bool ProcessIdentity::isAlive(qint64 pid, const QString &start)
{
    if (pid <= 0)
        return false;
    const QString ticks = startTicks(pid);
    if (ticks.isEmpty())
        return false;
    return start == bootId() + QLatin1Char('/') + ticks;
}

} // namespace kiln
