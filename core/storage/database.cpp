#include "storage/database.h"

#include "deploy/credentialstore.h"
#include "storage/postgres_p.h"
#include "storage/sqldialect.h"

#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

#include <sqlite3.h>

#include <cmath>
#include <cstdlib>

namespace kiln {
namespace {

// PostgreSQL type OIDs of the parameters Kiln binds (pg_type.h).
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kByteaOid = 17;

// Any number: every Kiln process takes the same one, and no other program should.
constexpr const char *kWriteLock = "SELECT pg_advisory_xact_lock(4812591022)";

QByteArray pgDouble(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("Infinity") : QByteArrayLiteral("-Infinity");
    return QByteArray::number(value, 'g', 17);
}

} // namespace

Statement::Statement() = default;

Statement::Statement(Database *db, sqlite3_stmt *stmt)
    : m_db(db)
    , m_stmt(stmt)
{ }

Statement::Statement(Database *db, std::unique_ptr<Internal::PgStatement> pg)
    : m_db(db)
    , m_pg(std::move(pg))
{ }

Statement::Statement(Statement &&other) noexcept
    : m_db(other.m_db)
    , m_stmt(std::exchange(other.m_stmt, nullptr))
    , m_pg(std::move(other.m_pg))
{ }

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = other.m_db;
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_pg = std::move(other.m_pg);
    }
    return *this;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement &Statement::bind(int index, long long value)
{
    if (m_pg) {
        m_pg->setParameter(index, QByteArray::number(value), kInt8Oid);
        return *this;
    }
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    if (m_pg) {
        m_pg->setParameter(index, pgDouble(value), kFloat8Oid);
        return *this;
    }
    sqlite3_bind_double(m_stmt, index, value);
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    if (m_pg) {
        m_pg->setParameter(index, value.toUtf8(), kTextOid);
        return *this;
    }
    const QByteArray utf8 = value.toUtf8();
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bind(int index, std::string_view utf8)
{
    if (m_pg) {
        m_pg->setParameter(index, QByteArray(utf8.data(), qsizetype(utf8.size())), kTextOid);
        return *this;
    }
    sqlite3_bind_text(m_stmt, index, utf8.data(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindBlob(int index, const QByteArray &value)
{
    if (m_pg) {
        m_pg->setParameter(index, value, kByteaOid, 1);
        return *this;
    }
    sqlite3_bind_blob(m_stmt, index, value.constData(), int(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    if (m_pg) {
        m_pg->setNull(index);
        return *this;
    }
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool Statement::next()
{
    if (m_pg)
        return m_pg->step();
    return sqlite3_step(m_stmt) == SQLITE_ROW;
}

Status Statement::exec()
{
    if (m_pg)
        return m_pg->exec();
    const int rc = sqlite3_step(m_stmt);
    sqlite3_reset(m_stmt);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return {};
    return Error {m_db->lastError()};
}

void Statement::reset()
{
    if (m_pg) {
        m_pg->reset();
        return;
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::int64(int column) const
{
    if (m_pg) {
        const char *text = m_pg->value(column);
        if (!text || !*text)
            return 0;
        if (text[0] == 't' || text[0] == 'f') // boolean
            return text[0] == 't' ? 1 : 0;
        char *end = nullptr;
        const long long whole = std::strtoll(text, &end, 10);
        if (end && *end == '.') // numeric (SUM of bigints)
            return static_cast<std::int64_t>(std::strtod(text, nullptr));
        return whole;
    }
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    if (m_pg) {
        const char *text = m_pg->value(column);
        if (!text || !*text)
            return 0;
        if (text[0] == 't' || text[0] == 'f')
            return text[0] == 't' ? 1 : 0;
        return std::strtod(text, nullptr); // also reads NaN, Infinity, -Infinity
    }
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    if (m_pg)
        return QString::fromUtf8(m_pg->value(column), m_pg->length(column));
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray Statement::blob(int column) const
{
    if (m_pg) {
        const char *text = m_pg->value(column);
        const int length = m_pg->length(column);
        // bytea arrives as text: "\x" and hex digits.
        if (m_pg->type(column) == kByteaOid && length >= 2 && text[0] == '\\' && text[1] == 'x')
            return QByteArray::fromHex(QByteArray::fromRawData(text + 2, length - 2));
        return QByteArray(text, length);
    }
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

bool Statement::isNull(int column) const
{
    if (m_pg)
        return m_pg->isNull(column);
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

QString storedNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime storedTime(const Statement &row, int column)
{
    return row.isNull(column) ? QDateTime() : QDateTime::fromString(row.text(column), Qt::ISODateWithMs);
}

Database::Database(sqlite3 *db, QString path)
    : m_db(db)
    , m_path(std::move(path))
{ }

Database::Database(std::unique_ptr<Internal::PgConnection> pg, QString path)
    : m_pg(std::move(pg))
    , m_path(std::move(path))
{ }

Database::~Database()
{
    sqlite3_close_v2(m_db);
}

bool Database::isPostgresUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

QString Database::displayUrl(const QString &url)
{
    QUrl parsed(url);
    parsed.setPassword({});
    QUrlQuery query(parsed);
    query.removeAllQueryItems(QStringLiteral("blobs"));
    parsed.setQuery(query.isEmpty() ? QString() : query.toString());
    return parsed.toString(QUrl::RemovePassword);
}

Expected<std::unique_ptr<Database>> Database::open(const QString &path)
{
    if (isPostgresUrl(path)) {
        auto connection = Internal::PgConnection::connect(path);
        if (!connection)
            return connection.error();
        return std::unique_ptr<Database>(new Database(std::move(connection).value(), displayUrl(path)));
    }
    sqlite3 *handle = nullptr;
    const QByteArray file = path.toUtf8();
    const int rc = sqlite3_open_v2(file.constData(), &handle,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString reason
            = handle ? QString::fromUtf8(sqlite3_errmsg(handle)) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_close_v2(handle);
        return Error {QStringLiteral("cannot open database %1: %2").arg(path, reason)};
    }
    std::unique_ptr<Database> db(new Database(handle, path));
    // Another process (a second app, kilnctl) may hold the write lock for a while.
    sqlite3_busy_timeout(handle, 10000);
    sqlite3_extended_result_codes(handle, 1);
    // WAL survives kill -9 at any moment; synchronous=NORMAL keeps every commit that
    // returned across process crashes (only a power cut may lose the last ones).
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                               "PRAGMA temp_store=MEMORY"}) {
        if (Status s = db->exec(pragma); !s)
            return Error {QStringLiteral("cannot open database %1: %2").arg(path, s.errorMessage())};
    }
    return db;
}

Status Database::exec(const char *sql)
{
    if (m_pg)
        return m_pg->exec(sqldialect::toPostgres(QByteArray(sql)));
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error error {QString::fromUtf8(message ? message : sqlite3_errmsg(m_db))};
        sqlite3_free(message);
        return error;
    }
    return {};
}

Expected<Statement> Database::prepare(const char *sql)
{
    if (m_pg) {
        auto pg = std::make_unique<Internal::PgStatement>();
        pg->connection = m_pg.get();
        pg->sql = sqldialect::toPostgres(QByteArray(sql), &pg->parameters);
        const auto count = std::size_t(pg->parameters);
        pg->values.resize(count);
        pg->nulls.assign(count, true);
        // Never bound: a text NULL, so a number SQLite allows to go unused (?1 and ?3 without
        // ?2) does not leave PostgreSQL a parameter of no type.
        pg->types.assign(count, kTextOid);
        pg->formats.assign(count, 0);
        return Statement(this, std::move(pg));
    }
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
        return Error {lastError()};
    return Statement(this, stmt);
}

std::int64_t Database::lastInsertId() const
{
    if (m_pg) {
        // The identity columns' sequences: lastval() is this session's last value.
        Internal::PgResult result(PQexec(m_pg->conn, "SELECT lastval()"));
        if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1)
            return 0;
        return std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10);
    }
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    if (m_pg)
        return m_pg->changes;
    return sqlite3_changes(m_db);
}

QString Database::lastError() const
{
    if (m_pg)
        return m_pg->lastError;
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

Status Database::integrityCheck()
{
    if (m_pg) {
        // The server checks its own pages; what Kiln can check is that the store answers.
        if (Status s = m_pg->exec("SELECT 1"); !s)
            return Error {QStringLiteral("integrity check of %1 failed: %2").arg(m_path, s.errorMessage())};
        return {};
    }
    auto stmt = prepare("PRAGMA integrity_check");
    if (!stmt)
        return stmt.error();
    QStringList problems;
    while (stmt->next()) {
        const QString line = stmt->text(0);
        if (line != QLatin1String("ok"))
            problems << line;
    }
    if (!problems.isEmpty())
        return Error {
            QStringLiteral("integrity check of %1 failed: %2").arg(m_path, problems.join(QLatin1String("; ")))};
    return {};
}

Expected<int> Database::schemaVersion()
{
    if (m_pg) {
        if (Status s = m_pg->exec("CREATE TABLE IF NOT EXISTS kiln_schema(version BIGINT NOT NULL)"); !s)
            return s.error();
        auto stmt = prepare("SELECT version FROM kiln_schema");
        if (!stmt)
            return stmt.error();
        const int version = stmt->next() ? int(stmt->int64(0)) : 0;
        if (Status s = lastStepStatus(); !s)
            return s.error();
        return version;
    }
    auto stmt = prepare("PRAGMA user_version");
    if (!stmt)
        return stmt.error();
    return stmt->next() ? int(stmt->int64(0)) : 0;
}

Status Database::setSchemaVersion(int version)
{
    if (m_pg) {
        const QByteArray sql
            = "DELETE FROM kiln_schema; INSERT INTO kiln_schema(version) VALUES(" + QByteArray::number(version) + ")";
        return m_pg->exec(sql);
    }
    const QByteArray sql = "PRAGMA user_version=" + QByteArray::number(version);
    return exec(sql.constData());
}

Status Database::execDdl(const char *sql)
{
    if (m_pg)
        return m_pg->exec(sqldialect::ddlToPostgres(QByteArray(sql)));
    return exec(sql);
}

Status Database::lastStepStatus() const
{
    if (m_pg)
        return m_pg->lastError.isEmpty() ? Status() : Status(Error {m_pg->lastError});
    const int code = sqlite3_errcode(m_db);
    if (code == SQLITE_DONE || code == SQLITE_OK || code == SQLITE_ROW)
        return {};
    return Error {lastError()};
}

void Database::keepPasswordForSession(const QString &url)
{
    const QString password = QUrl(url).password();
    if (!password.isEmpty())
        Internal::rememberPassword(Internal::passwordKey(url), password.toUtf8());
}

Status Database::storePassword(const QString &url, const QByteArray &password)
{
    const QString key = Internal::passwordKey(url);
    if (Status s = CredentialStore().setSecret(key, password); !s)
        return s;
    Internal::rememberPassword(key, password);
    return {};
}

ReadSnapshot::ReadSnapshot(Database &db)
    : m_db(db)
    , m_begin(db.dialect() == Database::Dialect::PostgreSQL
                  ? db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                  : db.exec("SAVEPOINT kiln_read"))
{ }

ReadSnapshot::~ReadSnapshot()
{
    if (m_begin)
        m_db.exec(m_db.dialect() == Database::Dialect::PostgreSQL ? "COMMIT" : "RELEASE kiln_read");
}

Transaction::Transaction(Database &db)
    : m_db(db)
{
    if (m_db.m_pg) {
        m_begin = m_db.m_pg->exec("BEGIN");
        m_active = m_begin.ok();
        if (m_active) {
            m_begin = m_db.m_pg->exec(kWriteLock);
            if (!m_begin)
                m_db.m_pg->exec("ROLLBACK");
            m_active = m_begin.ok();
        }
        return;
    }
    m_begin = m_db.exec("BEGIN IMMEDIATE");
    m_active = m_begin.ok();
}

Transaction::~Transaction()
{
    if (m_active)
        m_db.exec("ROLLBACK");
}

Status Transaction::commit()
{
    if (!m_active)
        return m_begin.ok() ? Status(Error {QStringLiteral("transaction already ended")}) : m_begin;
    Status s = m_db.exec("COMMIT");
    if (s)
        m_active = false;
    return s;
}

} // namespace kiln
