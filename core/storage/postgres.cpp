#include "storage/postgres_p.h"

#include "deploy/credentialstore.h"
#include "storage/database.h"

#include <QHash>
#include <QMutex>
#include <QUrl>
#include <QUrlQuery>

namespace kiln::Internal {
namespace {

/// libpq's message on one line, without its trailing newline.
QString pgMessage(const char *text)
{
    return QString::fromUtf8(text).simplified();
}

/// Passwords read from the keychain, once per store and process (a keychain probe can take
/// seconds; workers open connections often).
QMutex passwordMutex;
QHash<QString, QByteArray> &cachedPasswords()
{
    static QHash<QString, QByteArray> passwords;
    return passwords;
}

/// A password this process already knows for `key` (given in a URL, or read before).
QByteArray sessionPassword(const QString &key, bool *known)
{
    QMutexLocker lock(&passwordMutex);
    auto it = cachedPasswords().constFind(key);
    *known = it != cachedPasswords().constEnd();
    return *known ? *it : QByteArray();
}

QByteArray keychainPassword(const QString &key)
{
    QMutexLocker lock(&passwordMutex);
    auto it = cachedPasswords().constFind(key);
    if (it != cachedPasswords().constEnd())
        return *it;
    lock.unlock();
    const Expected<QByteArray> secret = CredentialStore().secret(key);
    QByteArray password = secret ? *secret : QByteArray();
    lock.relock();
    cachedPasswords().insert(key, password);
    return password;
}

PGconn *connectWith(const QByteArray &conninfo, const QByteArray &password, bool needTimeout)
{
    std::vector<const char *> keys {"dbname", "fallback_application_name"};
    std::vector<const char *> values {conninfo.constData(), "kiln"};
    if (needTimeout) {
        keys.push_back("connect_timeout");
        values.push_back("10");
    }
    if (!password.isEmpty()) {
        keys.push_back("password");
        values.push_back(password.constData());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    return PQconnectdbParams(keys.data(), values.data(), 1);
}

} // namespace

void rememberPassword(const QString &key, const QByteArray &password)
{
    QMutexLocker lock(&passwordMutex);
    cachedPasswords().insert(key, password);
}

QString passwordKey(const QString &url)
{
    return CredentialStore::keyFor(QStringLiteral("postgresql"), Database::displayUrl(url));
}

PgConnection::~PgConnection()
{
    PQfinish(conn);
}

Expected<std::unique_ptr<PgConnection>> PgConnection::connect(const QString &url)
{
    QUrl parsed(url);
    QUrlQuery query(parsed);
    query.removeAllQueryItems(QStringLiteral("blobs"));
    parsed.setQuery(query);
    const QByteArray conninfo = parsed.toEncoded();
    const bool needTimeout = !query.hasQueryItem(QStringLiteral("connect_timeout"));
    const QString shown = Database::displayUrl(url);

    auto connection = std::make_unique<PgConnection>();
    connection->shown = shown;
    const bool urlHasPassword = !parsed.password().isEmpty();
    bool known = false;
    const QByteArray remembered = urlHasPassword ? QByteArray() : sessionPassword(passwordKey(url), &known);
    connection->conn = connectWith(conninfo, remembered, needTimeout);
    if (PQstatus(connection->conn) != CONNECTION_OK && PQconnectionNeedsPassword(connection->conn) && !urlHasPassword
        && !known) {
        const QByteArray password = keychainPassword(passwordKey(url));
        if (!password.isEmpty()) {
            PQfinish(connection->conn);
            connection->conn = connectWith(conninfo, password, needTimeout);
        }
    }
    if (!connection->conn)
        return Error {QStringLiteral("cannot connect to the team store %1: out of memory").arg(shown)};
    if (PQstatus(connection->conn) != CONNECTION_OK) {
        QString reason = pgMessage(PQerrorMessage(connection->conn));
        if (PQconnectionNeedsPassword(connection->conn))
            reason += QStringLiteral(" (no password: give it in the URL or ~/.pgpass, or keep it in the keychain with "
                                     "kilnctl --workspace URL workspace info --secret-stdin)");
        return Error {QStringLiteral("cannot connect to the team store %1: %2").arg(shown, reason)};
    }
    // Quiet NOTICEs ("relation already exists, skipping"), UTC like every stored date.
    if (Status s = connection->exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'"); !s)
        return Error {QStringLiteral("cannot use the team store %1: %2").arg(shown, s.errorMessage())};
    return connection;
}

bool PgConnection::check(const PGresult *result, const char *fallback)
{
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
        lastError.clear();
        return true;
    }
    const char *message = result ? PQresultErrorMessage(result) : nullptr;
    if (!message || !*message)
        message = PQerrorMessage(conn);
    if ((!message || !*message) && fallback)
        message = fallback;
    lastError = pgMessage(message);
    if (PQstatus(conn) == CONNECTION_BAD)
        lastError = QStringLiteral("lost the connection to the team store %1: %2").arg(shown, lastError);
    return false;
}

Status PgConnection::exec(const QByteArray &sql)
{
    PgResult result(PQexec(conn, sql.constData()));
    if (!check(result.get()))
        return Error {lastError};
    changes = 0;
    return {};
}

PgResult PgConnection::run(const QByteArray &sql, int parameters, const std::vector<QByteArray> &values,
                           const std::vector<bool> &nulls, const std::vector<Oid> &types,
                           const std::vector<int> &formats)
{
    std::vector<const char *> pointers(std::size_t(parameters), nullptr);
    std::vector<int> lengths(std::size_t(parameters), 0);
    for (std::size_t i = 0; i < std::size_t(parameters); ++i) {
        if (!nulls[i]) {
            pointers[i] = values[i].constData();
            lengths[i] = int(values[i].size());
        }
    }
    PgResult result(PQexecParams(conn, sql.constData(), parameters, types.data(), pointers.data(), lengths.data(),
                                 formats.data(), 0));
    if (check(result.get())) {
        const char *count = PQcmdTuples(result.get());
        changes = count && *count ? std::atoi(count) : 0;
    }
    return result;
}

void PgStatement::setParameter(int index, QByteArray value, Oid type, int format)
{
    restartIfRun();
    if (index < 1 || index > parameters)
        return;
    const auto i = std::size_t(index - 1);
    values[i] = std::move(value);
    nulls[i] = false;
    types[i] = type;
    formats[i] = format;
}

void PgStatement::setNull(int index)
{
    restartIfRun();
    if (index < 1 || index > parameters)
        return;
    const auto i = std::size_t(index - 1);
    values[i].clear();
    nulls[i] = true;
    types[i] = 0;
    formats[i] = 0;
}

void PgStatement::restartIfRun()
{
    if (executed) {
        result.reset();
        executed = false;
        row = -1;
        rows = 0;
    }
}

bool PgStatement::step()
{
    if (!executed) {
        result = connection->run(sql, parameters, values, nulls, types, formats);
        executed = true;
        row = -1;
        rows = PQresultStatus(result.get()) == PGRES_TUPLES_OK ? PQntuples(result.get()) : 0;
    }
    if (row + 1 < rows) {
        ++row;
        return true;
    }
    // Done (or failed: Database::lastStepStatus() says which); the next step runs it again, as
    // SQLite's does after SQLITE_DONE.
    result.reset();
    executed = false;
    row = -1;
    rows = 0;
    return false;
}

Status PgStatement::exec()
{
    restartIfRun();
    PgResult done = connection->run(sql, parameters, values, nulls, types, formats);
    if (!connection->lastError.isEmpty())
        return Error {connection->lastError};
    return {};
}

void PgStatement::reset()
{
    restartIfRun();
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i].clear();
        nulls[i] = true;
        types[i] = 25; // text, as Database::prepare leaves a parameter never bound
        formats[i] = 0;
    }
}

const char *PgStatement::value(int column) const
{
    if (!result || row < 0 || column < 0 || column >= PQnfields(result.get()))
        return nullptr;
    return PQgetvalue(result.get(), row, column);
}

int PgStatement::length(int column) const
{
    if (!result || row < 0 || column < 0 || column >= PQnfields(result.get()))
        return 0;
    return PQgetlength(result.get(), row, column);
}

bool PgStatement::isNull(int column) const
{
    if (!result || row < 0 || column < 0 || column >= PQnfields(result.get()))
        return true;
    return PQgetisnull(result.get(), row, column) != 0;
}

Oid PgStatement::type(int column) const
{
    return result ? PQftype(result.get(), column) : 0;
}

} // namespace kiln::Internal
