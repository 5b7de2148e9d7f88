#pragma once

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace kiln {

/// One line of the run protocol: how any training command tells Kiln what it measured.
/// A protocol line is a JSON object with a "kiln" member, alone on a stdout line:
///
///   {"kiln": "metric", "key": "loss", "value": 0.25, "step": 3}      step metric (time: now)
///   {"kiln": "param", "key": "lr", "value": "0.1"}                   parameter
///   {"kiln": "tag", "key": "team", "value": "vision"}                tag
///   {"kiln": "result", "key": "accuracy", "value": 0.93}             final (summary) metric
///   {"kiln": "artifact", "path": "out/model.bin"}                    file to keep
///
/// Every other line is part of the run log. See docs/RUN-PROTOCOL.md.
struct ProtocolMessage
{
    enum class Kind { None, Metric, Param, Tag, Result, Artifact, Malformed };
    Kind kind = Kind::None;
    QString key; ///< metric/param/tag/result name
    QString text; ///< param/tag value, artifact path, or why the line is malformed
    double value = 0;
    qint64 step = 0;
    std::optional<qint64> timeMs;
};

/// Reads one line (without its newline). Lines that are not JSON objects with a "kiln" member
/// are Kind::None; lines that are but break the protocol are Kind::Malformed with a reason.
ProtocolMessage parseProtocolLine(QByteArrayView line);

} // namespace kiln
