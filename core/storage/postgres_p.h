#pragma once

// PostgreSQL behind Database and Statement (libpq). Private to core/storage.

#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace kiln::Internal {

struct PgResultDeleter
{
    void operator()(PGresult *r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgConnection
{
    ~PgConnection();

    /// Connects to `url` (Kiln's query items removed); the keychain's password is tried when
    /// the server asks for one that neither the URL nor libpq's own sources gave.
    static Expected<std::unique_ptr<PgConnection>> connect(const QString &url);

    /// Runs `sql` (no parameters; several statements allowed).
    Status exec(const QByteArray &sql);
    /// Runs one statement with parameters; records the error and the changed-row count.
    PgResult run(const QByteArray &sql, int parameters, const std::vector<QByteArray> &values,
                 const std::vector<bool> &nulls, const std::vector<Oid> &types, const std::vector<int> &formats);
    /// Keeps the result's error (or clears it); true when the command succeeded.
    bool check(const PGresult *result, const char *fallback = nullptr);

    PGconn *conn = nullptr;
    QString shown; // the store's display URL, for messages
    QString lastError;
    int changes = 0;
};

/// The credential key of a store's password.
QString passwordKey(const QString &url);
/// Replaces this process's cached keychain password of `key` (after storePassword()).
void rememberPassword(const QString &key, const QByteArray &password);

struct PgStatement
{
    PgConnection *connection = nullptr;
    QByteArray sql; // already in PostgreSQL's dialect
    int parameters = 0;
    std::vector<QByteArray> values;
    std::vector<bool> nulls;
    std::vector<Oid> types;
    std::vector<int> formats;
    PgResult result;
    bool executed = false;
    int row = -1;
    int rows = 0;

    void setParameter(int index, QByteArray value, Oid type, int format = 0);
    void setNull(int index);
    /// A bind after a run starts the statement over, as SQLite's auto-reset does.
    void restartIfRun();
    bool step();
    Status exec();
    void reset();
    const char *value(int column) const;
    int length(int column) const;
    bool isNull(int column) const;
    Oid type(int column) const;
};

} // namespace kiln::Internal
