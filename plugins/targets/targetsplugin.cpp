#include "targetsplugin.h"

#include "agenttarget.h"
#include "foldertarget.h"
#include "ocitarget.h"
#include "sshtarget.h"

namespace kiln::Internal {

TargetsPlugin::TargetsPlugin(QObject *parent)
    : QObject(parent)
{ }

TargetsPlugin::~TargetsPlugin() = default;

QList<const TargetKind *> TargetsPlugin::targetKinds() const
{
    return {agentTargetKind(), sshTargetKind(), ociTargetKind(), folderTargetKind()};
}

} // namespace kiln::Internal
