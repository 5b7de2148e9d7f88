#pragma once
// The mlflow.db reader's parts that dbreader.cpp (tracking store) and dbreadermodels.cpp (the
// model registry) share.

#include "mlflow/mlflowstore.h"

#include <QByteArrayView>
#include <QDir>
#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <sqlite3.h>

#include <optional>

namespace kiln::mlflow::Internal {

/// One prepared statement over the database, read row by row.
class Query
{
public:
    Query(sqlite3 *db, const QString &sql) { sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &m_stmt, nullptr); }
    ~Query() { sqlite3_finalize(m_stmt); }
    Query(const Query &) = delete;
    Query &operator=(const Query &) = delete;

    /// Binds an id that is a number (an experiment id) as an integer, any other as text.
    void bindId(int index, const QString &id)
    {
        bool isNumber = false;
        const qint64 number = id.toLongLong(&isNumber);
        if (isNumber && QString::number(number) == id) // "007" stays text
            sqlite3_bind_int64(m_stmt, index, number);
        else
            sqlite3_bind_text(m_stmt, index, id.toUtf8().constData(), -1, SQLITE_TRANSIENT);
    }
    bool next()
    {
        m_rc = m_stmt ? sqlite3_step(m_stmt) : SQLITE_ERROR;
        return m_rc == SQLITE_ROW;
    }
    /// After the last next(): whether every row was read (no error on the way).
    bool finished() const { return m_rc == SQLITE_DONE; }

    bool isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    QString text(int column) const
    {
        const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return bytes ? QString::fromUtf8(bytes, sqlite3_column_bytes(m_stmt, column)) : QString();
    }
    /// The column's UTF-8 bytes, valid until the next step.
    QByteArrayView bytes(int column) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return data ? QByteArrayView(data, sqlite3_column_bytes(m_stmt, column)) : QByteArrayView();
    }
    qint64 integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
    double real(int column) const { return sqlite3_column_double(m_stmt, column); }

private:
    sqlite3_stmt *m_stmt = nullptr;
    int m_rc = SQLITE_OK;
};

struct Connection
{
    sqlite3 *db = nullptr;
    bool withoutWal = false; ///< its write-ahead log could not be read (read-only folder)
};

class DbReader final : public Reader
{
public:
    DbReader(const QString &file, Connection connection, QHash<QString, QStringList> columns);
    ~DbReader() override { sqlite3_close(m_db); }
    DbReader(const DbReader &) = delete;
    DbReader &operator=(const DbReader &) = delete;

    QString path() const override { return m_path; }
    QString kind() const override { return QStringLiteral("SQLite database"); }
    QString schemaRevision() const override { return m_revision; }

    Expected<QList<Experiment>> experiments() override;
    Expected<QList<Run>> runs(const Experiment &experiment) override;
    Expected<QHash<QString, std::vector<MetricPoint>>> metrics(const Run &run) override;
    QList<ArtifactFile> artifacts(const Run &run) override;
    Expected<QList<RegisteredModel>> models() override;

private:
    /// Whether `table` exists; when not, an Issue unless the file's (known) revision predates
    /// `introducedIn`, the revision that added it.
    bool table(const QString &name, const char *introducedIn = nullptr);
    /// `column` of `table`, or "NULL" (with an Issue as for table()) when the table lacks it.
    QString column(const QString &table, const char *name, const char *introducedIn = nullptr);
    void missing(const QString &what, const char *introducedIn, const QString &consequence);
    Error readError(const QString &table) const
    {
        return Error {QStringLiteral("%1: reading table %2: %3")
                          .arg(QDir::toNativeSeparators(m_path), table, QString::fromUtf8(sqlite3_errmsg(m_db)))};
    }
    /// Runs `sql` (its `?` bound to `id` unless that is null) and hands each row to `row`;
    /// the error when reading stopped early.
    template<typename RowFunction>
    std::optional<Error> eachRow(const QString &table, const QString &sql, RowFunction row, const QString &id = {})
    {
        Query query(m_db, sql);
        if (!id.isNull())
            query.bindId(1, id);
        while (query.next())
            row(query);
        return query.finished() ? std::nullopt : std::optional<Error>(readError(table));
    }
    QString runLabel(const QString &runId) const { return QStringLiteral("%1: run %2").arg(m_name, runId); }
    QString artifactFolder(const QString &artifactUri) const;

    sqlite3 *m_db;
    QString m_path;
    QString m_name; ///< the file's name, as Issues show it
    QString m_revision;
    int m_revisionIndex = -1;
    QHash<QString, QStringList> m_columns;
    QSet<QString> m_reported;
};

} // namespace kiln::mlflow::Internal
