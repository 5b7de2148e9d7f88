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
    QList<const TargetKind *> kinds;
    for (const TargetKind *kind : {agentTargetKind(), sshTargetKind(), ociTargetKind(), folderTargetKind()}) {
        if (kind) // a kind still being written returns null
            kinds.append(kind);
    }
    return kinds;
}

} // namespace kiln::Internal
