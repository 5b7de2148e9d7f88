#pragma once

// A real single-node Slurm cluster for tests (Debian's slurm-wlm 22.05 and munge): a munged of
// its own on a socket in a temporary folder, slurmctld and slurmd on 127.0.0.1 and free ports,
// with a slurm.conf of their own that $SLURM_CONF names while the cluster lives (so sbatch,
// squeue, kilnctl and the jobs it starts all find it). Each daemon runs in the foreground as a
// child of the test (and dies with it); the destructor cancels leftover jobs and stops the
// daemons by PID. No cgroups here: proctrack/linuxproc and task/none. KillWait is 2 s and
// OverTimeLimit 0, so a job with --time 1 ends about a minute after it started.

#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>
#include <memory>
#include <vector>

#include <sys/prctl.h>
#include <unistd.h>

namespace kiln::test {

class SlurmCluster final
{
public:
    static QString slurmctld() { return QStringLiteral("/usr/sbin/slurmctld"); }
    static QString slurmd() { return QStringLiteral("/usr/sbin/slurmd"); }
    static QString munged() { return QStringLiteral("/usr/sbin/munged"); }

    /// Empty when slurmctld, slurmd, munged and sbatch are installed; else what is missing.
    static QString missing()
    {
        QStringList absent;
        for (const QString &daemon : {slurmctld(), slurmd(), munged()}) {
            if (!QFileInfo(daemon).isExecutable())
                absent << daemon;
        }
        if (QStandardPaths::findExecutable(QStringLiteral("sbatch")).isEmpty())
            absent << QStringLiteral("sbatch");
        return absent.join(QLatin1String(", "));
    }

    SlurmCluster() = default;
    ~SlurmCluster() { stop(); }
    SlurmCluster(const SlurmCluster &) = delete;
    SlurmCluster &operator=(const SlurmCluster &) = delete;

    /// Starts munged, slurmctld and slurmd and waits until the node is idle. Empty on success,
    /// else why it could not (with the daemons' logs).
    QString start()
    {
        if (const QString absent = missing(); !absent.isEmpty())
            return QStringLiteral("not installed: %1 (apt-get install slurm-wlm munge)").arg(absent);
        if (::geteuid() != 0)
            return QStringLiteral("slurmd must run as root to start jobs");
        if (!m_dir.isValid())
            return QStringLiteral("no temporary folder");
        // munged wants every reader to reach its socket's folder.
        QFile::setPermissions(m_dir.path(),
                              QFile::permissions(m_dir.path()) | QFile::ExeOther | QFile::ReadOther | QFile::ExeGroup
                                  | QFile::ReadGroup);
        for (const char *sub : {"state", "spool", "log", "munge"})
            QDir(m_dir.path()).mkpath(QLatin1String(sub));
        QFile::setPermissions(path("munge"),
                              QFile::permissions(path("munge")) | QFile::ExeOther | QFile::ReadOther | QFile::ExeGroup
                                  | QFile::ReadGroup);

        // A key of our own, owned by root like the munged that reads it.
        QByteArray key(128, '\0');
        for (char &c : key)
            c = char(QRandomGenerator::global()->bounded(256));
        if (!write(path("munge/munge.key"), key)
            || !QFile::setPermissions(path("munge/munge.key"), QFile::ReadOwner | QFile::WriteOwner))
            return QStringLiteral("cannot write the munge key");
        if (!launch(munged(),
                    {QStringLiteral("--foreground"), QStringLiteral("--socket=") + path("munge/munge.socket"),
                     QStringLiteral("--key-file=") + path("munge/munge.key"),
                     QStringLiteral("--pid-file=") + path("munge/munged.pid"),
                     QStringLiteral("--log-file=") + path("log/munged.log"),
                     QStringLiteral("--seed-file=") + path("munge/munged.seed")},
                    path("log/munged.out")))
            return QStringLiteral("munged did not start: %1").arg(logs());
        if (!waitFor([this] { return QFileInfo::exists(path("munge/munge.socket")); }, 10000))
            return QStringLiteral("munged made no socket: %1").arg(logs());

        m_controllerPort = freePort();
        do
            m_nodePort = freePort();
        while (m_nodePort == m_controllerPort);
        if (!write(confPath(), config(m_controllerPort)))
            return QStringLiteral("cannot write %1").arg(confPath());
        m_previousConf = qgetenv("SLURM_CONF");
        m_hadConf = qEnvironmentVariableIsSet("SLURM_CONF");
        qputenv("SLURM_CONF", confPath().toUtf8());
        m_confExported = true;

        if (!launch(slurmctld(), {QStringLiteral("-D"), QStringLiteral("-f"), confPath()}, path("log/slurmctld.out")))
            return QStringLiteral("slurmctld did not start: %1").arg(logs());
        if (!launch(slurmd(),
                    {QStringLiteral("-D"), QStringLiteral("-f"), confPath(), QStringLiteral("-N"),
                     QStringLiteral("localhost")},
                    path("log/slurmd.out")))
            return QStringLiteral("slurmd did not start: %1").arg(logs());
        if (!waitFor([] { return nodeState() == QLatin1String("idle"); }, 60000))
            return QStringLiteral("the node is not idle after 60 s (sinfo: '%1'): %2").arg(nodeState(), logs());
        return {};
    }

    /// Cancels the jobs still there, stops the daemons by PID (SIGTERM, then SIGKILL), and
    /// gives $SLURM_CONF back.
    void stop()
    {
        if (m_processes.empty())
            return;
        cancelAllJobs();
        // slurmd first (it ends the job steps), munged last (the others talk through it).
        for (auto it = m_processes.rbegin(); it != m_processes.rend(); ++it) {
            QProcess &process = **it;
            if (process.state() == QProcess::NotRunning)
                continue;
            ::kill(pid_t(process.processId()), SIGTERM);
            if (!process.waitForFinished(10000)) {
                ::kill(pid_t(process.processId()), SIGKILL);
                process.waitForFinished(5000);
            }
        }
        m_processes.clear();
        if (m_confExported) {
            if (m_hadConf)
                qputenv("SLURM_CONF", m_previousConf);
            else
                qunsetenv("SLURM_CONF");
            m_confExported = false;
        }
    }

    QString confPath() const { return path("slurm.conf"); }
    QString folder() const { return m_dir.path(); }

    /// A slurm.conf like the cluster's whose controller port nobody listens on: tools given it
    /// find the controller down.
    QString deadControllerConf()
    {
        const QString dead = path("slurm-dead.conf");
        write(dead, config(freePort()));
        return dead;
    }

    /// The last lines of every daemon log, for a failure message.
    QString logs() const
    {
        QString text;
        const QStringList files = QDir(path("log")).entryList(QDir::Files, QDir::Name);
        for (const QString &file : files) {
            QFile log(QDir(path("log")).filePath(file));
            if (!log.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> lines = log.readAll().split('\n');
            text += QStringLiteral("\n--- %1\n").arg(file);
            for (qsizetype i = std::max<qsizetype>(0, lines.size() - 15); i < lines.size(); ++i)
                text += QString::fromUtf8(lines[i]) + QLatin1Char('\n');
        }
        return text;
    }

    /// sinfo's word for the node: "idle", "mixed", "allocated", "down"...; empty when sinfo fails.
    static QString nodeState()
    {
        QProcess sinfo;
        sinfo.start(QStringLiteral("sinfo"),
                    {QStringLiteral("-h"), QStringLiteral("-n"), QStringLiteral("localhost"), QStringLiteral("-o"),
                     QStringLiteral("%T")});
        if (!sinfo.waitForFinished(15000) || sinfo.exitCode() != 0)
            return {};
        return QString::fromUtf8(sinfo.readAllStandardOutput()).trimmed();
    }

private:
    QString path(const char *relative) const { return m_dir.filePath(QLatin1String(relative)); }

    QByteArray config(quint16 controllerPort) const
    {
        QByteArray conf;
        const auto line = [&conf](const QString &text) { conf += text.toUtf8() + '\n'; };
        line(QStringLiteral("ClusterName=kilntest"));
        line(QStringLiteral("SlurmctldHost=localhost(127.0.0.1)"));
        line(QStringLiteral("SlurmctldPort=%1").arg(controllerPort));
        line(QStringLiteral("SlurmdPort=%1").arg(m_nodePort));
        line(QStringLiteral("AuthType=auth/munge"));
        line(QStringLiteral("CredType=cred/munge"));
        line(QStringLiteral("AuthInfo=socket=%1").arg(path("munge/munge.socket")));
        line(QStringLiteral("SlurmUser=root"));
        line(QStringLiteral("SlurmdUser=root"));
        line(QStringLiteral("StateSaveLocation=%1").arg(path("state")));
        line(QStringLiteral("SlurmdSpoolDir=%1").arg(path("spool")));
        line(QStringLiteral("SlurmctldPidFile=%1").arg(path("state/slurmctld.pid")));
        line(QStringLiteral("SlurmdPidFile=%1").arg(path("spool/slurmd.pid")));
        line(QStringLiteral("SlurmctldLogFile=%1").arg(path("log/slurmctld.log")));
        line(QStringLiteral("SlurmdLogFile=%1").arg(path("log/slurmd.log")));
        // No cgroups in these machines.
        line(QStringLiteral("ProctrackType=proctrack/linuxproc"));
        line(QStringLiteral("TaskPlugin=task/none"));
        line(QStringLiteral("JobAcctGatherType=jobacct_gather/none"));
        line(QStringLiteral("AccountingStorageType=accounting_storage/none"));
        line(QStringLiteral("SchedulerType=sched/builtin"));
        line(QStringLiteral("SelectType=select/cons_tres"));
        line(QStringLiteral("SelectTypeParameters=CR_Core"));
        line(QStringLiteral("MpiDefault=none"));
        line(QStringLiteral("ReturnToService=2"));
        // Quick ends: SIGKILL 2 s after SIGTERM, no grace past a time limit, tools that give up
        // on a dead controller after 3 s instead of 10.
        line(QStringLiteral("KillWait=2"));
        line(QStringLiteral("OverTimeLimit=0"));
        line(QStringLiteral("MessageTimeout=3"));
        line(QStringLiteral("MinJobAge=600"));
        // Four CPUs on any machine, so a sweep runs beside a long job.
        line(QStringLiteral("SlurmdParameters=config_overrides"));
        line(QStringLiteral("NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 RealMemory=4000 State=UNKNOWN"));
        line(QStringLiteral("PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP"));
        return conf;
    }

    bool launch(const QString &program, const QStringList &arguments, const QString &outputFile)
    {
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->setStandardOutputFile(outputFile);
        process->setWorkingDirectory(m_dir.path());
        // A daemon dies with the test, whatever ends it.
        process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        process->start(program, arguments);
        if (!process->waitForStarted(10000))
            return false;
        m_processes.push_back(std::move(process));
        // A daemon that fails on its configuration exits at once.
        QThread::msleep(200);
        return m_processes.back()->state() == QProcess::Running;
    }

    void cancelAllJobs()
    {
        QProcess squeue;
        squeue.start(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%A")});
        if (!squeue.waitForFinished(15000) || squeue.exitCode() != 0)
            return;
        const QStringList ids
            = QString::fromUtf8(squeue.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (ids.isEmpty())
            return;
        QProcess::execute(QStringLiteral("scancel"), ids);
        waitFor(
            [] {
                QProcess running;
                running.start(QStringLiteral("squeue"),
                              {QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("running,completing")});
                return running.waitForFinished(15000) && running.readAllStandardOutput().trimmed().isEmpty();
            },
            15000);
    }

    template<typename Condition>
    static bool waitFor(Condition condition, int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        while (!condition()) {
            if (clock.elapsed() > timeoutMs)
                return false;
            QThread::msleep(200);
        }
        return true;
    }

    static quint16 freePort()
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, 0))
            qFatal("no free port on 127.0.0.1");
        return server.serverPort();
    }

    static bool write(const QString &file, const QByteArray &bytes)
    {
        QFile out(file);
        return out.open(QIODevice::WriteOnly | QIODevice::Truncate) && out.write(bytes) == bytes.size();
    }

    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<QProcess>> m_processes;
    quint16 m_controllerPort = 0;
    quint16 m_nodePort = 0;
    QByteArray m_previousConf;
    bool m_hadConf = false;
    bool m_confExported = false;
};

} // namespace kiln::test
