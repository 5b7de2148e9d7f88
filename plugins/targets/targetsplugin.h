#pragma once

#include "deploy/deploytarget.h"

#include <QObject>

namespace kiln::Internal {

/// The built-in target kinds: agent, ssh, oci, folder. Stateless kinds owned for the life of
/// the process (PluginManager keeps the plugin).
class TargetsPlugin final : public QObject, public TargetProvider
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID KILN_TARGET_PLUGIN_IID FILE "targets.json")
    Q_INTERFACES(kiln::TargetProvider)
    Q_DISABLE_COPY_MOVE(TargetsPlugin)

public:
    explicit TargetsPlugin(QObject *parent = nullptr);
    ~TargetsPlugin() override;

    QList<const TargetKind *> targetKinds() const override;
};

} // namespace kiln::Internal
