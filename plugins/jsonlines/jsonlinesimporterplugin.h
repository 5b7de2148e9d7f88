#pragma once

#include "plugin/importer.h"

#include <QObject>

namespace kiln::Internal {

/// The importer of JSON lines (.jsonl, .ndjson, and .json files that hold one object per
/// line): claims files by extension or content and hands out JsonLinesParser and
/// JsonLinesDecoder. Stateless; any thread may use it.
class JsonLinesImporterPlugin final : public QObject, public ImporterPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID KILN_IMPORTER_PLUGIN_IID FILE "jsonlines.json")
    Q_INTERFACES(kiln::ImporterPlugin)
    Q_DISABLE_COPY_MOVE(JsonLinesImporterPlugin)

public:
    explicit JsonLinesImporterPlugin(QObject *parent = nullptr);

    QString formatId() const override;
    int probe(const QString &fileName, QByteArrayView head) const override;
    std::unique_ptr<TableParser> createParser(const QJsonObject &options, QByteArrayView head,
                                              RecordSink *sink) const override;
    std::unique_ptr<RecordDecoder> createDecoder(const QJsonObject &formatOptions,
                                                 const QStringList &columns) const override;
};

} // namespace kiln::Internal
