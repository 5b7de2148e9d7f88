#pragma once

#include "deploy/deploytarget.h"
#include "plugin/importer.h"
#include "training/trainer.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace kiln {

/// What a plugin declares in its JSON file, read and checked before any object is created.
struct PluginSpec
{
    QString id;
    QString name;
    QString version;
    QString compatVersion;
    QString kind; ///< "importer", "archive", "trainer" or "target"
    QStringList extensions;
    QString location; ///< "static" or the library's path
    QString error; ///< why it was not loaded; empty when loaded
};

/// Finds Kiln plugins (built in, and shared libraries in $KILN_PLUGIN_PATH), checks their
/// metadata against this Kiln's plugin API, and hands out the formats. Built once at start
/// on the main thread; read-only afterwards, so any thread may query it.
class PluginManager final
{
public:
    /// The process-wide registry, loaded on first use.
    static const PluginManager &instance();

    /// The plugin API version this core implements; plugins declare the oldest they need.
    static QString apiVersion();

    const QList<PluginSpec> &specs() const { return m_specs; }
    const QList<ImporterPlugin *> &importers() const { return m_importers; }
    const QList<ArchivePlugin *> &archives() const { return m_archives; }

    const ImporterPlugin *importer(const QString &formatId) const;
    /// The importer most sure of the file (probe > 0), or null.
    const ImporterPlugin *importerFor(const QString &fileName, QByteArrayView head) const;
    const ArchivePlugin *archiveFor(const QString &fileName, QByteArrayView head) const;
    /// Every trainer of every trainer plugin, and one by id ("boosted-trees").
    const QList<const Trainer *> &trainers() const { return m_trainers; }
    const Trainer *trainer(const QString &id) const;
    /// Every kind of deployment target ("agent", "ssh", "oci", "folder"), and one by id.
    const QList<const TargetKind *> &targetKinds() const { return m_targetKinds; }
    const TargetKind *targetKind(const QString &id) const;
    /// Extensions (lowercase, no dot) any plugin declares: what a file dialog offers.
    QStringList knownExtensions() const;

private:
    PluginManager();
    void consider(QObject *instance, const QJsonObject &metaData, const QString &location);

    QList<PluginSpec> m_specs;
    QList<ImporterPlugin *> m_importers;
    QList<ArchivePlugin *> m_archives;
    QList<const Trainer *> m_trainers;
    QList<const TargetKind *> m_targetKinds;
};

} // namespace kiln
