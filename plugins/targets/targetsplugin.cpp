#include "targetsplugin.h"

namespace kiln::Internal {

// Stub: the owner of this file replaces it.
TargetsPlugin::TargetsPlugin(QObject *parent)
    : QObject(parent)
{
}

TargetsPlugin::~TargetsPlugin() = default;

QList<const TargetKind *> TargetsPlugin::targetKinds() const
{
    return {};
}

} // namespace kiln::Internal
