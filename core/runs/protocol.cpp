#include "runs/protocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace kiln {
namespace {

ProtocolMessage malformed(const QString &why)
{
    ProtocolMessage m;
    m.kind = ProtocolMessage::Kind::Malformed;
    m.text = why;
    return m;
}

bool looksLikeProtocol(QByteArrayView line)
{
    const QByteArrayView trimmed = line.trimmed();
    return trimmed.startsWith('{') && trimmed.contains(QByteArrayView("\"kiln\""));
}

} // namespace

ProtocolMessage parseProtocolLine(QByteArrayView line)
{
    if (!looksLikeProtocol(line))
        return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line.trimmed().toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return malformed(
            QStringLiteral("not valid JSON (%1 at character %2)").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return malformed(QStringLiteral("not a JSON object"));
    const QJsonObject o = doc.object();
    const QString kind = o.value(QLatin1String("kiln")).toString();
    ProtocolMessage m;
    m.key = o.value(QLatin1String("key")).toString();
    const QJsonValue value = o.value(QLatin1String("value"));
    if (kind == QLatin1String("artifact")) {
        m.kind = ProtocolMessage::Kind::Artifact;
        m.text = o.value(QLatin1String("path")).toString();
        if (m.text.isEmpty())
            return malformed(QStringLiteral("an artifact needs a \"path\""));
        return m;
    }
    if (m.key.isEmpty())
        return malformed(QStringLiteral("a %1 needs a \"key\"").arg(kind.isEmpty() ? QStringLiteral("message") : kind));
    if (kind == QLatin1String("metric") || kind == QLatin1String("result")) {
        m.kind = kind == QLatin1String("metric") ? ProtocolMessage::Kind::Metric : ProtocolMessage::Kind::Result;
        if (!value.isDouble() || !std::isfinite(value.toDouble()))
            return malformed(QStringLiteral("%1 '%2' needs a finite number as \"value\"").arg(kind, m.key));
        m.value = value.toDouble();
        const QJsonValue step = o.value(QLatin1String("step"));
        if (!step.isUndefined() && (!step.isDouble() || step.toDouble() != std::floor(step.toDouble())))
            return malformed(QStringLiteral("metric '%1' has a \"step\" that is not a whole number").arg(m.key));
        m.step = step.toInteger();
        const QJsonValue time = o.value(QLatin1String("time"));
        if (time.isDouble())
            m.timeMs = qint64(time.toDouble());
        return m;
    }
    if (kind == QLatin1String("param") || kind == QLatin1String("tag")) {
        m.kind = kind == QLatin1String("param") ? ProtocolMessage::Kind::Param : ProtocolMessage::Kind::Tag;
        if (value.isString())
            m.text = value.toString();
        else if (value.isDouble() || value.isBool())
            m.text = value.toVariant().toString();
        else
            return malformed(QStringLiteral("%1 '%2' needs a string or number as \"value\"").arg(kind, m.key));
        return m;
    }
    return malformed(QStringLiteral("unknown message kind '%1' (metric, param, tag, result or artifact)").arg(kind));
}

} // namespace kiln
