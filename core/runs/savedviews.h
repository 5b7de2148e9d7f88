#pragma once

#include "util/expected.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace kiln {

class Database;

/// A comparison a user saved under a name: which runs were selected, the filter, the table's
/// columns and the charts' settings, as the Experiments panel writes them (`spec`).
struct SavedView
{
    QString name;
    QJsonObject spec;
    QDateTime updatedAt;
};

/// The named views of a workspace (table saved_views). Works on the connection it is given.
class SavedViews final
{
public:
    explicit SavedViews(Database &db)
        : m_db(db)
    { }

    /// Every view, by name (case-insensitive order).
    Expected<QList<SavedView>> list() const;
    Expected<SavedView> view(const QString &name) const;
    /// Saves `spec` under `name`, replacing a view of that name. Names are trimmed; a blank
    /// name is refused.
    Status save(const QString &name, const QJsonObject &spec);
    Status remove(const QString &name);

private:
    Database &m_db;
};

} // namespace kiln
