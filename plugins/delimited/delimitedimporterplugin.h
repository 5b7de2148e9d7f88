#pragma once

#include "plugin/importer.h"

#include <QObject>

namespace kiln::Internal {

/// The importer of delimited text (CSV, TSV, semicolon, pipe...): claims files by extension or
/// by content, and hands out CsvParser and CsvDecoder. Stateless; any thread may use it.
class DelimitedImporterPlugin final : public QObject, public ImporterPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID KILN_IMPORTER_PLUGIN_IID FILE "delimited.json")
    Q_INTERFACES(kiln::ImporterPlugin)
    Q_DISABLE_COPY_MOVE(DelimitedImporterPlugin)

public:
    explicit DelimitedImporterPlugin(QObject *parent = nullptr);

    QString formatId() const override;
    int probe(const QString &fileName, QByteArrayView head) const override;
    std::unique_ptr<TableParser> createParser(const QJsonObject &options, QByteArrayView head,
                                              RecordSink *sink) const override;
    std::unique_ptr<RecordDecoder> createDecoder(const QJsonObject &formatOptions,
                                                 const QStringList &columns) const override;
};

} // namespace kiln::Internal
