// A kiln-serve /metrics scrape (Prometheus text format 0.0.4) reduced to what the Deployments
// panel charts, and the traffic between two scrapes.
#include "monitoring/metricssnapshot.h"

#include <QMap>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace kiln {

namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

std::optional<double> parseValue(QByteArrayView token)
{
    if (token == "+Inf" || token == "Inf")
        return std::numeric_limits<double>::infinity();
    if (token == "-Inf")
        return -std::numeric_limits<double>::infinity();
    if (token == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    const double value = token.toByteArray().toDouble(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

/// One sample line: `name{label="value",...} value [timestamp]`.
struct Sample
{
    QByteArrayView name;
    std::vector<std::pair<QByteArrayView, QString>> labels;
    double value = 0;

    QString label(const char *key) const
    {
        for (const auto &[labelName, labelValue] : labels) {
            if (labelName == key)
                return labelValue;
        }
        return {};
    }
    bool has(const char *key) const
    {
        return std::any_of(labels.begin(), labels.end(), [key](const auto &l) { return l.first == key; });
    }
};

/// Parses `line`; the error says what is wrong (the caller adds the line number).
Expected<Sample> parseSample(QByteArrayView line)
{
    Sample sample;
    qsizetype i = 0;
    const qsizetype n = line.size();
    while (i < n && isNameChar(line[i]))
        ++i;
    if (i == 0 || !isNameStart(line[0]))
        return Error {QStringLiteral("expected a metric name")};
    sample.name = line.first(i);
    if (i < n && line[i] == '{') {
        ++i;
        for (;;) {
            while (i < n && isSpace(line[i]))
                ++i;
            if (i < n && line[i] == '}') {
                ++i;
                break;
            }
            const qsizetype start = i;
            while (i < n && isNameChar(line[i]))
                ++i;
            if (i == start)
                return Error {QStringLiteral("expected a label name or '}' at column %1").arg(i + 1)};
            const QByteArrayView key = line.sliced(start, i - start);
            if (i + 1 >= n || line[i] != '=' || line[i + 1] != '"')
                return Error {QStringLiteral("expected =\" after label %1").arg(QString::fromLatin1(key))};
            i += 2;
            QByteArray value;
            bool closed = false;
            while (i < n) {
                const char c = line[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < n) {
                    const char escaped = line[i++];
                    value += escaped == 'n' ? '\n' : escaped;
                } else {
                    value += c;
                }
            }
            if (!closed)
                return Error {QStringLiteral("label %1 has no closing quote").arg(QString::fromLatin1(key))};
            sample.labels.emplace_back(key, QString::fromUtf8(value));
            while (i < n && isSpace(line[i]))
                ++i;
            if (i < n && line[i] == ',') {
                ++i;
                continue;
            }
            if (i < n && line[i] == '}') {
                ++i;
                break;
            }
            return Error {QStringLiteral("expected ',' or '}' after label %1").arg(QString::fromLatin1(key))};
        }
    }
    if (i >= n || !isSpace(line[i]))
        return Error {QStringLiteral("expected a space and a value after %1").arg(QString::fromLatin1(sample.name))};
    std::vector<QByteArrayView> tokens;
    while (i < n) {
        while (i < n && isSpace(line[i]))
            ++i;
        const qsizetype start = i;
        while (i < n && !isSpace(line[i]))
            ++i;
        if (i > start)
            tokens.push_back(line.sliced(start, i - start));
    }
    if (tokens.empty() || tokens.size() > 2)
        return Error {
            QStringLiteral("expected a value and at most a timestamp after %1").arg(QString::fromLatin1(sample.name))};
    const std::optional<double> value = parseValue(tokens.front());
    if (!value)
        return Error {QStringLiteral("%1 is not a number").arg(QString::fromLatin1(tokens.front()))};
    if (tokens.size() == 2 && !parseValue(tokens.back()))
        return Error {QStringLiteral("timestamp %1 is not a number").arg(QString::fromLatin1(tokens.back()))};
    sample.value = *value;
    return sample;
}

bool isInference(const Sample &sample)
{
    const QString endpoint = sample.label("endpoint");
    return endpoint == QLatin1String("invocations") || endpoint == QLatin1String("v2_infer");
}

// The latency below which a fraction `q` of the window's requests finished, in seconds;
// linear within the bucket it falls in (the +Inf bucket answers its lower bound).
double quantile(double q, const std::vector<double> &bounds, const std::vector<double> &cumulative)
{
    if (bounds.empty() || cumulative.back() <= 0)
        return 0;
    const double rank = q * cumulative.back();
    for (std::size_t b = 0; b < bounds.size(); ++b) {
        if (cumulative[b] < rank)
            continue;
        const double lower = b == 0 ? 0 : bounds[b - 1];
        if (std::isinf(bounds[b]))
            return lower;
        const double below = b == 0 ? 0 : cumulative[b - 1];
        const double inBucket = cumulative[b] - below;
        return inBucket > 0 ? lower + (bounds[b] - lower) * (rank - below) / inBucket : lower;
    }
    return bounds.size() > 1 ? bounds[bounds.size() - 2] : 0;
}

bool countersWentDown(const MetricsSnapshot &from, const MetricsSnapshot &to)
{
    if (to.requests < from.requests || to.errors < from.errors || to.predictedRows < from.predictedRows)
        return true;
    if (from.latencyBounds != to.latencyBounds)
        return !from.latencyBounds.empty();
    for (std::size_t b = 0; b < to.latencyCumulative.size(); ++b) {
        if (to.latencyCumulative[b] < from.latencyCumulative[b])
            return true;
    }
    return false;
}

} // namespace

Expected<MetricsSnapshot> MetricsSnapshot::parse(const QByteArray &text)
{
    MetricsSnapshot snapshot;
    QMap<double, double> latency;
    int lineNumber = 0;
    for (qsizetype begin = 0; begin < text.size();) {
        qsizetype end = text.indexOf('\n', begin);
        if (end < 0)
            end = text.size();
        const QByteArrayView line = QByteArrayView(text).sliced(begin, end - begin).trimmed();
        begin = end + 1;
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        Expected<Sample> parsed = parseSample(line);
        if (!parsed)
            return Error {QStringLiteral("line %1 of the metrics: %2").arg(lineNumber).arg(parsed.errorMessage())};
        const Sample &s = *parsed;
        const auto requireLabel = [&](const char *key) -> Status {
            if (s.has(key))
                return Status::success();
            return Error {QStringLiteral("line %1 of the metrics: %2 has no %3 label")
                              .arg(lineNumber)
                              .arg(QString::fromLatin1(s.name), QLatin1String(key))};
        };
        if (s.name == "kiln_requests_total") {
            if (isInference(s))
                snapshot.requests += s.value;
        } else if (s.name == "kiln_request_errors_total") {
            if (isInference(s))
                snapshot.errors += s.value;
        } else if (s.name == "kiln_request_duration_seconds_bucket") {
            if (const Status ok = requireLabel("le"); !ok)
                return ok.error();
            const std::optional<double> le = parseValue(s.label("le").toLatin1());
            if (!le)
                return Error {QStringLiteral("line %1 of the metrics: le=\"%2\" is not a number")
                                  .arg(lineNumber)
                                  .arg(s.label("le"))};
            double &bucket = latency[*le];
            if (isInference(s))
                bucket += s.value;
        } else if (s.name == "kiln_predicted_rows_total") {
            snapshot.predictedRows = s.value;
        } else if (s.name == "kiln_model_info") {
            snapshot.modelName = s.label("name");
            snapshot.sha256 = s.label("sha256");
            if (snapshot.modelVersion == 0)
                snapshot.modelVersion = s.label("version").toInt();
        } else if (s.name == "kiln_model_version") {
            snapshot.modelVersion = int(s.value);
        } else if (s.name == "kiln_model_loaded_timestamp_seconds") {
            if (s.value > 0)
                snapshot.loadedAt = QDateTime::fromMSecsSinceEpoch(qint64(std::llround(s.value * 1000)), Qt::UTC);
        } else if (s.name == "kiln_feature_bin_total") {
            if (const Status ok = requireLabel("feature"); !ok)
                return ok.error();
            const QString bin = s.has("bin") ? s.label("bin") : s.label("value");
            if (!s.has("bin") && !s.has("value"))
                return requireLabel("bin").error();
            snapshot.featureBins[s.label("feature")][bin] = s.value;
        } else if (s.name == "kiln_prediction_bin_total") {
            if (!s.has("class") && !s.has("bin"))
                return requireLabel("class").error();
            snapshot.predictionBins[s.has("class") ? s.label("class") : s.label("bin")] = s.value;
        }
    }
    for (auto it = latency.begin(); it != latency.end(); ++it) {
        snapshot.latencyBounds.push_back(it.key());
        snapshot.latencyCumulative.push_back(it.value());
    }
    return snapshot;
}

TrafficSample trafficBetween(const MetricsSnapshot &from, const MetricsSnapshot &to)
{
    const bool reset = from.modelVersion != to.modelVersion || from.sha256 != to.sha256 || countersWentDown(from, to);
    // After a reset the counters started at the load, which may lie within the interval.
    QDateTime start = from.at;
    if (reset && to.loadedAt.isValid() && (!start.isValid() || to.loadedAt > start))
        start = to.loadedAt;
    const double seconds = start.isValid() && to.at.isValid() ? double(start.msecsTo(to.at)) / 1000.0 : 0.0;

    TrafficSample sample;
    const double requests = to.requests - (reset ? 0 : from.requests);
    const double errors = to.errors - (reset ? 0 : from.errors);
    if (seconds > 0) {
        sample.requestsPerSecond = requests / seconds;
        sample.errorsPerSecond = errors / seconds;
    }
    std::vector<double> window = to.latencyCumulative;
    if (!reset && from.latencyBounds == to.latencyBounds) {
        for (std::size_t b = 0; b < window.size(); ++b)
            window[b] -= from.latencyCumulative[b];
    }
    sample.p50Ms = quantile(0.5, to.latencyBounds, window) * 1000.0;
    sample.p99Ms = quantile(0.99, to.latencyBounds, window) * 1000.0;
    return sample;
}

} // namespace kiln
