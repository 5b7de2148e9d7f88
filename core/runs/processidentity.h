#pragma once

#include <QString>

namespace kiln {

/// Names a process so that another one can tell, later, whether it is still alive: host,
/// pid and the pid's start time since boot (with the boot's id), which a reused pid does
/// not share.
struct ProcessIdentity
{
    QString host;
    qint64 pid = 0;
    QString start; ///< "<boot id>/<start ticks>"

    static ProcessIdentity current();
    /// Whether the process `pid` on this host is the one that started at `start`.
    static bool isAlive(qint64 pid, const QString &start);
    static QString hostName();
};

} // namespace kiln
