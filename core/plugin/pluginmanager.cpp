#include "plugin/pluginmanager.h"

#include <QDir>
#include <QJsonArray>
#include <QLibrary>
#include <QPluginLoader>
#include <QVersionNumber>

namespace kiln {

namespace {
const char kApiVersion[] = "1.0";

PluginSpec specFrom(const QJsonObject &metaData, const QString &location)
{
    const QJsonObject md = metaData.value(QLatin1String("MetaData")).toObject();
    PluginSpec spec;
    spec.id = md.value(QLatin1String("id")).toString();
    spec.name = md.value(QLatin1String("name")).toString();
    spec.version = md.value(QLatin1String("version")).toString();
    spec.compatVersion = md.value(QLatin1String("compatVersion")).toString();
    spec.kind = md.value(QLatin1String("kind")).toString();
    for (const auto &ext : md.value(QLatin1String("extensions")).toArray())
        spec.extensions << ext.toString().toLower();
    spec.location = location;
    const QString iid = metaData.value(QLatin1String("IID")).toString();
    if (spec.id.isEmpty())
        spec.error = QStringLiteral("plugin metadata has no id");
    else if (iid != QLatin1String(KILN_IMPORTER_PLUGIN_IID) && iid != QLatin1String(KILN_ARCHIVE_PLUGIN_IID)
             && iid != QLatin1String(KILN_TRAINER_PLUGIN_IID) && iid != QLatin1String(KILN_TARGET_PLUGIN_IID))
        spec.error = QStringLiteral("unknown plugin interface %1").arg(iid);
    else if (QVersionNumber::fromString(spec.compatVersion) > QVersionNumber::fromString(QLatin1String(kApiVersion)))
        spec.error = QStringLiteral("needs plugin API %1, this Kiln has %2")
                         .arg(spec.compatVersion, QLatin1String(kApiVersion));
    return spec;
}

/// The plugin that probes the file with the highest score (the first on a tie), or null when
/// none scores above 0.
template<typename Plugin>
const Plugin *mostSure(const QList<Plugin *> &plugins, const QString &fileName, QByteArrayView head)
{
    const Plugin *best = nullptr;
    int bestScore = 0;
    for (const Plugin *plugin : plugins) {
        const int score = plugin->probe(fileName, head);
        if (score > bestScore) {
            best = plugin;
            bestScore = score;
        }
    }
    return best;
}
} // namespace

const PluginManager &PluginManager::instance()
{
    static const PluginManager manager;
    return manager;
}

QString PluginManager::apiVersion()
{
    return QLatin1String(kApiVersion);
}

PluginManager::PluginManager()
{
    for (const QStaticPlugin &plugin : QPluginLoader::staticPlugins()) {
        const QJsonObject metaData = plugin.metaData();
        PluginSpec spec = specFrom(metaData, QStringLiteral("static"));
        if (spec.error.isEmpty() && !spec.id.isEmpty())
            consider(plugin.instance(), metaData, spec.location);
        else if (!spec.id.isEmpty())
            m_specs.append(spec);
    }
    const QStringList dirs = qEnvironmentVariable("KILN_PLUGIN_PATH").split(QDir::listSeparator(), Qt::SkipEmptyParts);
    for (const QString &dir : dirs) {
        const QDir folder(dir);
        for (const QString &file : folder.entryList(QDir::Files)) {
            const QString path = folder.absoluteFilePath(file);
            if (!QLibrary::isLibrary(path))
                continue;
            QPluginLoader loader(path);
            PluginSpec spec = specFrom(loader.metaData(), path);
            if (!spec.error.isEmpty()) {
                m_specs.append(spec);
                continue;
            }
            QObject *object = loader.instance();
            if (!object) {
                spec.error = loader.errorString();
                m_specs.append(spec);
                continue;
            }
            consider(object, loader.metaData(), path);
        }
    }
}

void PluginManager::consider(QObject *object, const QJsonObject &metaData, const QString &location)
{
    PluginSpec spec = specFrom(metaData, location);
    for (const PluginSpec &known : std::as_const(m_specs)) {
        if (known.id == spec.id && known.error.isEmpty()) {
            spec.error = QStringLiteral("a plugin with id %1 is already loaded").arg(spec.id);
            m_specs.append(spec);
            return;
        }
    }
    if (auto *importer = qobject_cast<ImporterPlugin *>(object))
        m_importers.append(importer);
    else if (auto *archive = qobject_cast<ArchivePlugin *>(object))
        m_archives.append(archive);
    else if (auto *provider = qobject_cast<TrainerProvider *>(object))
        m_trainers.append(provider->trainers());
    else if (auto *targets = qobject_cast<TargetProvider *>(object))
        m_targetKinds.append(targets->targetKinds());
    else
        spec.error = QStringLiteral("the plugin object implements no Kiln interface");
    m_specs.append(spec);
}

const ImporterPlugin *PluginManager::importer(const QString &formatId) const
{
    for (const ImporterPlugin *plugin : m_importers) {
        if (plugin->formatId() == formatId)
            return plugin;
    }
    return nullptr;
}

const Trainer *PluginManager::trainer(const QString &id) const
{
    for (const Trainer *t : m_trainers) {
        if (t->id() == id)
            return t;
    }
    return nullptr;
}

const TargetKind *PluginManager::targetKind(const QString &id) const
{
    for (const TargetKind *kind : m_targetKinds) {
        if (kind->id() == id)
            return kind;
    }
    return nullptr;
}

const ImporterPlugin *PluginManager::importerFor(const QString &fileName, QByteArrayView head) const
{
    return mostSure(m_importers, fileName, head);
}

const ArchivePlugin *PluginManager::archiveFor(const QString &fileName, QByteArrayView head) const
{
    return mostSure(m_archives, fileName, head);
}

QStringList PluginManager::knownExtensions() const
{
    QStringList extensions;
    for (const PluginSpec &spec : m_specs) {
        if (spec.error.isEmpty())
            extensions << spec.extensions;
    }
    extensions.removeDuplicates();
    return extensions;
}

} // namespace kiln
