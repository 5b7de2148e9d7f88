#pragma once

#include "storage/database.h"

namespace kiln::Internal {

/// The schema version this build writes; Database::schemaVersion() holds a workspace's.
int latestSchemaVersion();
/// Brings `db` up to latestSchemaVersion(), one transaction per step; returns the version.
Expected<int> migrate(Database &db);

} // namespace kiln::Internal
