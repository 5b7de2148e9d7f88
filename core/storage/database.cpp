#include "storage/database.h"

#include <QStringList>

#include <sqlite3.h>

namespace kiln {

Statement::Statement(Statement &&other) noexcept
    : m_db(other.m_db)
    , m_stmt(std::exchange(other.m_stmt, nullptr))
{ }

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = other.m_db;
        m_stmt = std::exchange(other.m_stmt, nullptr);
    }
    return *this;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement &Statement::bind(int index, long long value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    sqlite3_bind_double(m_stmt, index, value);
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bind(int index, std::string_view utf8)
{
    sqlite3_bind_text(m_stmt, index, utf8.data(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindBlob(int index, const QByteArray &value)
{
    sqlite3_bind_blob(m_stmt, index, value.constData(), int(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool Statement::next()
{
    return sqlite3_step(m_stmt) == SQLITE_ROW;
}

Status Statement::exec()
{
    const int rc = sqlite3_step(m_stmt);
    sqlite3_reset(m_stmt);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return {};
    return Error {m_db->lastError()};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray Statement::blob(int column) const
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

bool Statement::isNull(int column) const
{
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

Database::~Database()
{
    sqlite3_close_v2(m_db);
}

Expected<std::unique_ptr<Database>> Database::open(const QString &path)
{
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
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
        return Error {lastError()};
    return Statement(this, stmt);
}

std::int64_t Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

QString Database::lastError() const
{
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

Status Database::integrityCheck()
{
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

Transaction::Transaction(Database &db)
    : m_db(db)
{
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
