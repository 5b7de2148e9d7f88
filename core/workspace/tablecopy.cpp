#include "workspace/tablecopy_p.h"

namespace kiln::Internal {
namespace {

QVariant readValue(const Statement &row, int column, char type)
{
    if (row.isNull(column))
        return {};
    switch (type) {
    case 'i':
        return QVariant::fromValue(qint64(row.int64(column)));
    case 'r':
        return row.real(column);
    case 'b':
        return row.blob(column);
    default:
        return row.text(column);
    }
}

void bindValue(Statement &stmt, int index, const QVariant &value)
{
    if (!value.isValid()) {
        stmt.bindNull(index);
        return;
    }
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
        stmt.bind(index, value.toLongLong());
        break;
    case QMetaType::Double:
        stmt.bind(index, value.toDouble());
        break;
    case QMetaType::QByteArray:
        stmt.bindBlob(index, value.toByteArray());
        break;
    default:
        stmt.bind(index, value.toString());
    }
}

} // namespace

QByteArrayList Table::columnNames() const
{
    QByteArrayList names = QByteArray(columns).split(',');
    for (QByteArray &n : names)
        n = n.trimmed();
    return names;
}

int Table::at(const char *column) const
{
    const auto index = int(columnNames().indexOf(QByteArray(column)));
    if (index < 0)
        qFatal("table %s has no column %s", name, column);
    return index + (hasId ? 1 : 0);
}

Expected<QList<Row>> selectRows(Database &db, const Table &table, const QByteArray &where, const QVariantList &binds)
{
    const QByteArray sql
        = "SELECT " + QByteArray(table.hasId ? "id, " : "") + table.columns + " FROM " + table.name + ' ' + where;
    auto stmt = db.prepare(sql.constData());
    if (!stmt)
        return Error {
            QStringLiteral("cannot read %1 of %2: %3").arg(QLatin1String(table.name), db.path(), stmt.errorMessage())};
    for (int i = 0; i < binds.size(); ++i)
        bindValue(*stmt, i + 1, binds[i]);
    const QByteArray types = QByteArray(table.hasId ? "i" : "") + table.types;
    QList<Row> rows;
    while (stmt->next()) {
        Row row;
        row.reserve(types.size());
        for (int c = 0; c < types.size(); ++c)
            row.append(readValue(*stmt, c, types[c]));
        rows.append(std::move(row));
    }
    if (Status s = db.lastStepStatus(); !s)
        return Error {
            QStringLiteral("cannot read %1 of %2: %3").arg(QLatin1String(table.name), db.path(), s.errorMessage())};
    return rows;
}

Expected<qint64> insertRow(Database &db, const Table &table, const Row &row, const char *conflict)
{
    const int first = table.hasId ? 1 : 0;
    QByteArray placeholders;
    for (int i = first; i < row.size(); ++i)
        placeholders += i > first ? ", ?" : "?";
    const QByteArray sql = "INSERT INTO " + QByteArray(table.name) + '(' + table.columns + ") VALUES(" + placeholders
        + ") " + conflict + (table.hasId ? " RETURNING id" : "");
    auto stmt = db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    for (int i = first; i < row.size(); ++i)
        bindValue(*stmt, i - first + 1, row[i]);
    const auto failed = [&](const QString &reason) {
        return Error {QStringLiteral("cannot write %1 of %2: %3").arg(QLatin1String(table.name), db.path(), reason)};
    };
    if (table.hasId) {
        const qint64 id = stmt->next() ? stmt->int64(0) : 0;
        if (Status s = db.lastStepStatus(); !s)
            return failed(s.errorMessage());
        return id;
    }
    if (Status s = stmt->exec(); !s)
        return failed(s.errorMessage());
    return qint64(db.changes());
}

Expected<std::pair<qint64, bool>> ensureNamed(Database &db, const Table &table, const Row &row)
{
    auto inserted = insertRow(db, table, row, "ON CONFLICT(name) DO NOTHING");
    if (!inserted)
        return inserted.error();
    if (*inserted)
        return std::pair {*inserted, true};
    auto there = selectRows(db, table, "WHERE name = ?1", {row[1]});
    if (!there)
        return there.error();
    if (there->isEmpty())
        return Error {
            QStringLiteral("%1 '%2' vanished from %3").arg(QLatin1String(table.name), row[1].toString(), db.path())};
    return std::pair {there->first().first().toLongLong(), false};
}

Expected<Merged> copyChildren(Database &from, Database &to, const Table &table, qint64 fromParent, qint64 toParent,
                              const Table *grandchildren, const char *conflict)
{
    const int parent = table.hasId ? 1 : 0;
    auto rows = selectRows(from, table, "WHERE " + table.columnNames().first() + " = ?1", {fromParent});
    if (!rows)
        return rows.error();
    Merged merged;
    for (Row &row : *rows) {
        const qint64 sourceId = table.hasId ? row[0].toLongLong() : 0;
        row[parent] = toParent;
        auto inserted = insertRow(to, table, row, conflict);
        if (!inserted)
            return inserted.error();
        ++merged.rows;
        merged.inserted += *inserted ? 1 : 0;
        if (grandchildren && *inserted) {
            if (auto g = copyChildren(from, to, *grandchildren, sourceId, *inserted); !g)
                return g.error();
        }
    }
    return merged;
}

Expected<Found> findOne(Database &db, const char *sql, const QVariantList &binds)
{
    auto stmt = db.prepare(sql);
    if (!stmt)
        return stmt.error();
    for (int i = 0; i < binds.size(); ++i)
        bindValue(*stmt, i + 1, binds[i]);
    Found found;
    if (stmt->next())
        found = {stmt->int64(0), stmt->text(1)};
    if (Status s = db.lastStepStatus(); !s)
        return s.error();
    return found;
}

QVariant mapped(const IdMap &map, const QVariant &sourceId)
{
    if (!sourceId.isValid())
        return {};
    const auto it = map.constFind(sourceId.toLongLong());
    return it == map.constEnd() ? QVariant() : QVariant(*it);
}

} // namespace kiln::Internal
