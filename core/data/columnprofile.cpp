#include "data/columnprofile.h"

#include <QJsonArray>

namespace kiln {

QJsonObject ColumnProfile::statsToJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("count"), count);
    o.insert(QLatin1String("missing"), missing);
    o.insert(QLatin1String("distinct"), distinct);
    o.insert(QLatin1String("distinctExact"), distinctExact);
    if (!min.isEmpty())
        o.insert(QLatin1String("min"), min);
    if (!max.isEmpty())
        o.insert(QLatin1String("max"), max);
    if (mean)
        o.insert(QLatin1String("mean"), *mean);
    if (std)
        o.insert(QLatin1String("std"), *std);
    QJsonArray top;
    for (const auto &[value, n] : topValues)
        top.append(QJsonArray {value, n});
    o.insert(QLatin1String("top"), top);
    if (!histogram.counts.empty()) {
        QJsonArray counts;
        for (qint64 c : histogram.counts)
            counts.append(c);
        o.insert(QLatin1String("histogram"),
                 QJsonObject {{QLatin1String("lower"), histogram.lower},
                              {QLatin1String("upper"), histogram.upper},
                              {QLatin1String("counts"), counts}});
    }
    return o;
}

ColumnProfile ColumnProfile::fromJson(const QString &name, ColumnType type, const QJsonObject &o)
{
    ColumnProfile p;
    p.name = name;
    p.type = type;
    p.count = o.value(QLatin1String("count")).toInteger();
    p.missing = o.value(QLatin1String("missing")).toInteger();
    p.distinct = o.value(QLatin1String("distinct")).toInteger();
    p.distinctExact = o.value(QLatin1String("distinctExact")).toBool(true);
    p.min = o.value(QLatin1String("min")).toString();
    p.max = o.value(QLatin1String("max")).toString();
    if (o.contains(QLatin1String("mean")))
        p.mean = o.value(QLatin1String("mean")).toDouble();
    if (o.contains(QLatin1String("std")))
        p.std = o.value(QLatin1String("std")).toDouble();
    for (const auto &entry : o.value(QLatin1String("top")).toArray()) {
        const QJsonArray pair = entry.toArray();
        p.topValues.append({pair.at(0).toString(), pair.at(1).toInteger()});
    }
    const QJsonObject h = o.value(QLatin1String("histogram")).toObject();
    p.histogram.lower = h.value(QLatin1String("lower")).toDouble();
    p.histogram.upper = h.value(QLatin1String("upper")).toDouble();
    for (const auto &c : h.value(QLatin1String("counts")).toArray())
        p.histogram.counts.push_back(c.toInteger());
    return p;
}

} // namespace kiln
