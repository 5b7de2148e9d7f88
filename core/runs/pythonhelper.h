#pragma once

#include <QByteArray>

namespace kiln {

/// The stdlib-only Python module `kiln_tracking` (resources/python/kiln_tracking.py, compiled
/// in), which external runs find on their PYTHONPATH.
QByteArray pythonHelperSource();

} // namespace kiln
