#pragma once

namespace kiln {

/// Links the built-in plugins into the calling executable; call once before PluginManager.
void linkBuiltinPlugins();

} // namespace kiln
