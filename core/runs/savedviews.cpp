#include "runs/savedviews.h"

#include "storage/database.h"

#include <QJsonDocument>

#include <algorithm>

namespace kiln {

namespace {

SavedView readView(const Statement &stmt)
{
    SavedView view;
    view.name = stmt.text(0);
    view.spec = QJsonDocument::fromJson(stmt.text(1).toUtf8()).object();
    view.updatedAt = storedTime(stmt, 2);
    return view;
}

} // namespace

Expected<QList<SavedView>> SavedViews::list() const
{
    auto stmt = m_db.prepare("SELECT name, spec, updated_at FROM saved_views");
    if (!stmt)
        return stmt.error();
    QList<SavedView> views;
    while (stmt->next())
        views.append(readView(*stmt));
    std::sort(views.begin(), views.end(),
              [](const SavedView &a, const SavedView &b) { return a.name.compare(b.name, Qt::CaseInsensitive) < 0; });
    return views;
}

Expected<SavedView> SavedViews::view(const QString &name) const
{
    auto stmt = m_db.prepare("SELECT name, spec, updated_at FROM saved_views WHERE name = ?");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, name.trimmed());
    if (!stmt->next())
        return Error {QStringLiteral("there is no saved view named \"%1\"").arg(name.trimmed())};
    return readView(*stmt);
}

Status SavedViews::save(const QString &name, const QJsonObject &spec)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return Error {QStringLiteral("a saved view needs a name")};
    auto stmt = m_db.prepare("INSERT INTO saved_views(name, spec, updated_at) VALUES(?, ?, ?) "
                             "ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, trimmed)
        .bind(2, QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact)))
        .bind(3, storedNow());
    return stmt->exec();
}

Status SavedViews::remove(const QString &name)
{
    auto stmt = m_db.prepare("DELETE FROM saved_views WHERE name = ?");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, name.trimmed());
    return stmt->exec();
}

} // namespace kiln
