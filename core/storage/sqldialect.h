#pragma once

#include <QByteArray>

namespace kiln::sqldialect {

/// Kiln's SQL (SQLite's dialect, restricted to what both accept) as PostgreSQL reads it:
/// `?` and `?N` become `$N` (a bare `?` takes the next number after the largest seen, as in
/// SQLite), and json_each(X) becomes json_array_elements_text(CAST(X AS json)). String
/// literals, quoted identifiers and comments are left alone. Sets `parameters` to the number
/// of the largest placeholder.
QByteArray toPostgres(const QByteArray &sql, int *parameters = nullptr);

/// Migration DDL as PostgreSQL reads it (after toPostgres): `id INTEGER PRIMARY KEY` becomes
/// an identity column, INTEGER BIGINT, REAL DOUBLE PRECISION, BLOB BYTEA, TEXT TEXT COLLATE "C"
/// (bytewise order, as SQLite's); WITHOUT ROWID goes.
QByteArray ddlToPostgres(const QByteArray &sql);

} // namespace kiln::sqldialect
