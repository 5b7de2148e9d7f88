#pragma once

// A real PostgreSQL server for tests (Debian's postgresql 15): initdb in a temporary folder,
// pg_ctl start on 127.0.0.1 and a free port, stopped by its postmaster's PID. Connections use
// the superuser "kiln" with a password over TCP (scram-sha-256), so wrong passwords fail as
// they would on a real server.

#include "storage/database.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QString>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>
#include <memory>

#include <unistd.h>

namespace kiln::test {

class PostgresServer
{
public:
    static constexpr const char *kUser = "kiln";
    static constexpr const char *kPassword = "kiln-test-password";

    static QString binDir() { return QStringLiteral("/usr/lib/postgresql/15/bin"); }
    static bool isInstalled() { return QFileInfo::exists(binDir() + QStringLiteral("/initdb")); }

    PostgresServer() = default;
    ~PostgresServer() { stop(); }
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    /// Empty on success, else why it could not start.
    QString start()
    {
        if (!isInstalled())
            return QStringLiteral("PostgreSQL 15 is not installed (apt-get install postgresql)");
        if (!m_dir.isValid())
            return QStringLiteral("no temporary folder");
        const bool root = ::geteuid() == 0;
        // The server runs as "postgres" when we are root: it must reach its folder.
        QFile::setPermissions(m_dir.path(), QFile::permissions(m_dir.path()) | QFile::ExeOther | QFile::ReadOther);
        m_data = m_dir.filePath(QStringLiteral("data"));
        const QString passwordFile = m_dir.filePath(QStringLiteral("pw"));
        QFile pw(passwordFile);
        if (!pw.open(QIODevice::WriteOnly))
            return QStringLiteral("cannot write %1").arg(passwordFile);
        pw.write(kPassword);
        pw.close();
        if (root && !run(QStringLiteral("chown"), {QStringLiteral("postgres"), m_dir.path(), passwordFile}))
            return QStringLiteral("chown postgres failed: %1").arg(m_lastOutput);
        if (!runAsServer(QStringLiteral("initdb"),
                         {QStringLiteral("-D"), m_data, QStringLiteral("-U"), QLatin1String(kUser),
                          QStringLiteral("--auth-local=trust"), QStringLiteral("--auth-host=scram-sha-256"),
                          QStringLiteral("--pwfile=") + passwordFile, QStringLiteral("-E"), QStringLiteral("UTF8"),
                          QStringLiteral("--no-sync")}))
            return QStringLiteral("initdb failed: %1").arg(m_lastOutput);
        m_port = freeLoopbackPort();
        const QString options
            = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                             "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
                  .arg(m_port)
                  .arg(m_dir.path());
        if (!runAsServer(QStringLiteral("pg_ctl"),
                         {QStringLiteral("-D"), m_data, QStringLiteral("-o"), options, QStringLiteral("-l"),
                          m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"), QStringLiteral("start")}))
            return QStringLiteral("pg_ctl start failed: %1 %2")
                .arg(m_lastOutput, QString::fromUtf8(readAll(m_dir.filePath(QStringLiteral("server.log")))));
        QFile pidFile(m_data + QStringLiteral("/postmaster.pid"));
        if (pidFile.open(QIODevice::ReadOnly))
            m_pid = pidFile.readLine().trimmed().toLongLong();
        if (m_pid <= 0)
            return QStringLiteral("the server started but wrote no postmaster.pid");
        return {};
    }

    /// Fast shutdown by PID (SIGINT to the postmaster), then waits for it to go.
    void stop()
    {
        if (m_pid <= 0)
            return;
        ::kill(pid_t(m_pid), SIGINT);
        for (int i = 0; i < 200 && ::kill(pid_t(m_pid), 0) == 0; ++i)
            QThread::msleep(50);
        if (::kill(pid_t(m_pid), 0) == 0)
            ::kill(pid_t(m_pid), SIGKILL);
        m_pid = 0;
    }

    bool isRunning() const { return m_pid > 0 && ::kill(pid_t(m_pid), 0) == 0; }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_pid; }
    QString logPath() const { return m_dir.filePath(QStringLiteral("server.log")); }

    /// postgresql://kiln:PASSWORD@127.0.0.1:PORT/DB
    QString url(const QString &database, bool withPassword = true) const
    {
        return QStringLiteral("postgresql://%1%2@127.0.0.1:%3/%4")
            .arg(QLatin1String(kUser), withPassword ? QStringLiteral(":") + QLatin1String(kPassword) : QString())
            .arg(m_port)
            .arg(database);
    }

    /// A new, empty database; returns its URL (with the password). Empty on failure.
    QString createDatabase(const QString &name) const
    {
        auto admin = Database::open(url(QStringLiteral("postgres")));
        if (!admin)
            qFatal("cannot reach the test PostgreSQL: %s", qPrintable(admin.errorMessage()));
        const QByteArray sql = "CREATE DATABASE \"" + name.toUtf8() + "\"";
        if (Status s = (*admin)->exec(sql.constData()); !s)
            qFatal("CREATE DATABASE %s: %s", qPrintable(name), qPrintable(s.errorMessage()));
        return url(name);
    }

    /// Runs SQL as the superuser on `database` (test setup: roles, damage).
    Status execute(const QString &database, const QByteArray &sql) const
    {
        auto db = Database::open(url(database));
        if (!db)
            return db.error();
        return (*db)->exec(sql.constData());
    }

    /// One server per test process, started on first use and stopped at exit. Null (with
    /// `why` set) when it cannot start.
    static PostgresServer *shared(QString *why = nullptr)
    {
        static std::unique_ptr<PostgresServer> server;
        static QString failure;
        if (!server && failure.isEmpty()) {
            auto started = std::make_unique<PostgresServer>();
            failure = started->start();
            if (failure.isEmpty())
                server = std::move(started);
        }
        if (why)
            *why = failure;
        return server.get();
    }

private:
    static quint16 freeLoopbackPort()
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, 0))
            qFatal("no free port on 127.0.0.1");
        return server.serverPort();
    }

    static QByteArray readAll(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    bool runAsServer(const QString &tool, QStringList args)
    {
        const QString program = binDir() + QLatin1Char('/') + tool;
        if (::geteuid() != 0)
            return run(program, args);
        args.prepend(program);
        args.prepend(QStringLiteral("--"));
        args.prepend(QStringLiteral("postgres"));
        args.prepend(QStringLiteral("-u"));
        return run(QStringLiteral("runuser"), args);
    }

    bool run(const QString &program, const QStringList &args)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.setWorkingDirectory(m_dir.path());
        process.start(program, args);
        const bool ok = process.waitForFinished(120000) && process.exitStatus() == QProcess::NormalExit
            && process.exitCode() == 0;
        m_lastOutput = QString::fromLocal8Bit(process.readAll()).trimmed();
        return ok;
    }

    QTemporaryDir m_dir;
    QString m_data;
    QString m_lastOutput;
    quint16 m_port = 0;
    qint64 m_pid = 0;
};

} // namespace kiln::test
