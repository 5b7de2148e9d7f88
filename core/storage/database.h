#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <cstdint>
#include <memory>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace kiln {

class Database;
namespace Internal {
struct PgConnection;
struct PgStatement;
} // namespace Internal

/// A prepared statement. Lives on the thread of the Database that made it. On PostgreSQL it
/// runs when first stepped (or exec()uted) with the values bound then; rows are read whole.
class Statement final
{
public:
    Statement();
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    bool isValid() const { return m_stmt != nullptr || m_pg != nullptr; }

    // Parameters are 1-based, as in SQLite.
    Statement &bind(int index, long long value);
    Statement &bind(int index, long value) { return bind(index, static_cast<long long>(value)); }
    Statement &bind(int index, int value) { return bind(index, static_cast<long long>(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, std::string_view utf8);
    Statement &bindBlob(int index, const QByteArray &value);
    Statement &bindNull(int index);

    /// Steps once: true while a row is available; errors go to Database::lastError().
    bool next();
    /// Runs to completion, for INSERT/UPDATE/DELETE.
    Status exec();
    void reset();

    std::int64_t int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    bool isNull(int column) const;

private:
    friend class Database;
    Statement(Database *db, sqlite3_stmt *stmt);
    Statement(Database *db, std::unique_ptr<Internal::PgStatement> pg);

    Database *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    std::unique_ptr<Internal::PgStatement> m_pg;
};

/// Dates are stored as ISO 8601 UTC text with milliseconds ("2024-05-01T09:30:00.123Z"): they
/// sort as text and read the same in any SQLite tool. storedNow() is the current time in that
/// form; storedTime() reads it back from a column (invalid when NULL or empty).
QString storedNow();
QDateTime storedTime(const Statement &row, int column);

/// One connection to a workspace's database: a SQLite file, or a PostgreSQL team store
/// (libpq). Not thread-safe: each thread opens its own. SQLite: WAL mode and a busy timeout
/// let threads and other processes share the file. PostgreSQL: a Transaction holds the store's
/// write lock (a transaction-scoped advisory lock), so writers from any machine are serialised
/// exactly as SQLite serialises them, and readers never wait.
///
/// SQL is written once, in the dialect both accept: `?`/`?N` placeholders, `INSERT ... ON
/// CONFLICT`, `RETURNING`, CAST(... AS BIGINT), json_each(?) over a JSON array of values
/// (read its `value` column through CAST). For PostgreSQL, placeholders become $N and
/// json_each(x) json_array_elements_text(CAST(x AS json)); migrations' DDL also maps
/// `id INTEGER PRIMARY KEY` to an identity column, INTEGER to BIGINT, REAL to DOUBLE
/// PRECISION, BLOB to BYTEA and drops WITHOUT ROWID.
class Database final
{
public:
    enum class Dialect { SQLite, PostgreSQL };

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    /// A SQLite file path, or a "postgresql://" / "postgres://" URL (a `blobs=` query item is
    /// Kiln's and ignored here). A password missing from the URL comes from the keychain
    /// (see storePassword()) or, through libpq, from $PGPASSWORD or ~/.pgpass.
    static Expected<std::unique_ptr<Database>> open(const QString &location);
    static bool isPostgresUrl(const QString &location);
    /// The URL without its password and without Kiln's query items, for messages and keys.
    static QString displayUrl(const QString &url);
    /// Keeps the password of a team store in the keychain (or Kiln's private credentials
    /// file) for later connections of this user.
    static Status storePassword(const QString &url, const QByteArray &password);
    /// Keeps the password in `url` for this process's later connections to the same store
    /// (given without it), in memory only.
    static void keepPasswordForSession(const QString &url);

    Dialect dialect() const { return m_pg ? Dialect::PostgreSQL : Dialect::SQLite; }
    /// The schema version a migration left (SQLite: PRAGMA user_version; PostgreSQL: table
    /// kiln_schema). Call inside a Transaction.
    Expected<int> schemaVersion();
    Status setSchemaVersion(int version);
    /// Runs migration DDL (several statements), mapped to the dialect.
    Status execDdl(const char *sql);
    /// SQLite: whether the last step failed; PostgreSQL: the last statement's result.
    Status lastStepStatus() const;

    Status exec(const char *sql);
    Expected<Statement> prepare(const char *sql);
    std::int64_t lastInsertId() const;
    int changes() const;
    QString lastError() const;
    /// The file, or the store's display URL.
    QString path() const { return m_path; }

    /// Runs `PRAGMA integrity_check`; ok when SQLite answers "ok" (PostgreSQL checks its own
    /// pages: ok when the connection answers).
    Status integrityCheck();

    /// SQLite only (null for PostgreSQL).
    sqlite3 *handle() const { return m_db; }

private:
    friend class Statement;
    friend class Transaction;
    explicit Database(sqlite3 *db, QString path);
    explicit Database(std::unique_ptr<Internal::PgConnection> pg, QString path);
    sqlite3 *m_db = nullptr;
    std::unique_ptr<Internal::PgConnection> m_pg;
    QString m_path;
};

/// RAII read snapshot: every query until it ends sees the same committed state (SQLite: a
/// savepoint, PostgreSQL: a REPEATABLE READ, READ ONLY transaction). Writers are not blocked.
class ReadSnapshot final
{
public:
    explicit ReadSnapshot(Database &db);
    ~ReadSnapshot();
    ReadSnapshot(const ReadSnapshot &) = delete;
    ReadSnapshot &operator=(const ReadSnapshot &) = delete;

    const Status &status() const { return m_begin; }

private:
    Database &m_db;
    Status m_begin;
};

/// RAII transaction: BEGIN IMMEDIATE on construction (PostgreSQL: BEGIN and the store's write
/// lock), ROLLBACK unless commit() succeeded.
class Transaction final
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    const Status &beginStatus() const { return m_begin; }
    Status commit();

private:
    Database &m_db;
    Status m_begin;
    bool m_active = false;
};

} // namespace kiln
