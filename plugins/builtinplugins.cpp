#include "builtinplugins.h"

#include <QtPlugin>

Q_IMPORT_PLUGIN(DelimitedImporterPlugin)
Q_IMPORT_PLUGIN(JsonLinesImporterPlugin)
Q_IMPORT_PLUGIN(LibarchivePlugin)
Q_IMPORT_PLUGIN(XGBoostTrainerProvider)
Q_IMPORT_PLUGIN(TargetsPlugin)

namespace kiln {

void linkBuiltinPlugins()
{
    // Nothing to do at run time: referencing this function pulls in this object file, whose
    // Q_IMPORT_PLUGIN lines register the plugins before main() runs.
}

} // namespace kiln
