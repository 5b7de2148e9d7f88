// kiln-serve's /metrics: request counters, latency histograms and the live input statistics
// drift is computed from. Everything on the request path is a relaxed atomic increment in the
// calling thread's shard.
#include "serving/servemetrics.h"

#include "data/values.h"
#include "monitoring/drift.h"
#include "serving/servedmodel.h"

#include <QHash>
#include <QLocale>
#include <QVarLengthArray>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

using Counter = std::atomic<quint64>;

constexpr int kPredictionBins = 20;
constexpr int kStatusCodes = 600;
constexpr int kEndpoints = 3;
constexpr int kBuckets = 14; ///< the latency bounds, then +Inf
constexpr int kShards = 8;
constexpr int kCountersPerLine = 64 / int(sizeof(Counter));

/// Counters kept in one shard per serving thread (threads take shards round robin), so that
/// threads answering requests side by side do not pass the same cache lines back and forth;
/// a read adds the shards up. Increments are relaxed atomics: threads beyond kShards share.
class ShardedCounters
{
public:
    explicit ShardedCounters(int count)
        // A line of padding between shards keeps them off each other's cache lines.
        : m_stride((count + 2 * kCountersPerLine - 1) / kCountersPerLine * kCountersPerLine)
        , m_cells(std::make_unique<Counter[]>(std::size_t(m_stride) * kShards))
    {
        reset();
    }

    void add(int index, quint64 by = 1)
    {
        m_cells[std::size_t(shard()) * std::size_t(m_stride) + std::size_t(index)].fetch_add(by,
                                                                                             std::memory_order_relaxed);
    }
    quint64 value(int index) const
    {
        quint64 sum = 0;
        for (int s = 0; s < kShards; ++s)
            sum += m_cells[std::size_t(s) * std::size_t(m_stride) + std::size_t(index)].load(std::memory_order_relaxed);
        return sum;
    }
    void reset()
    {
        for (std::size_t i = 0; i < std::size_t(m_stride) * kShards; ++i)
            m_cells[i].store(0, std::memory_order_relaxed);
    }

private:
    static int shard()
    {
        static std::atomic<int> next {0};
        thread_local const int mine = next.fetch_add(1, std::memory_order_relaxed) % kShards;
        return mine;
    }

    int m_stride;
    std::unique_ptr<Counter[]> m_cells;
};

// A label value as the text format wants it: backslash, double quote and line feed escaped.
QByteArray escapeLabel(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

// No missing-value token (empty, NA, N/A, NaN, null, None, ...) starts with a digit, a sign or
// a point, so the values of numeric features skip comparing against each of them.
bool mayBeMissing(const std::string &field)
{
    if (field.empty())
        return true;
    const char c = field.front();
    return !((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.');
}

// QString's == through a plain loop: column names are short, and the request path compares
// one per feature.
bool sameName(const QString &a, const QString &b)
{
    return a.size() == b.size() && std::equal(a.constBegin(), a.constEnd(), b.constBegin());
}

void writeFamily(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void writeValue(QByteArray &out, quint64 value)
{
    out += ' ';
    out += QByteArray::number(value);
    out += '\n';
}

void writeValue(QByteArray &out, double value)
{
    out += ' ';
    out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
    out += '\n';
}

const char *endpointName(int endpoint)
{
    switch (ServeEndpoint(endpoint)) {
    case ServeEndpoint::Invocations:
        return "invocations";
    case ServeEndpoint::V2Infer:
        return "v2_infer";
    case ServeEndpoint::Other:
        break;
    }
    return "other";
}

} // namespace

// ---- InputStats --------------------------------------------------------------------------

/// One feature's (or the predictions') bins, with a counter each. Numeric: bins 0..n-1, then
/// under, over, missing. Categorical: the categories, then other, missing.
struct InputStats::Feature
{
    enum class Kind { Number, Boolean, DateTime, Category };

    QString name;
    QByteArray nameLabel;
    Kind kind = Kind::Number;
    driftbins::NumericBins bins;
    std::vector<std::string> categories;
    std::vector<QByteArray> categoryLabels;
    std::unique_ptr<ShardedCounters> counts;
    int slots = 0;

    void allocate()
    {
        const int named = kind == Kind::Category ? int(categories.size()) : bins.count;
        slots = named + (kind == Kind::Category ? 2 : 3);
        counts = std::make_unique<ShardedCounters>(slots);
    }
    int missingSlot() const { return slots - 1; }
    int otherSlot() const { return slots - 2; }
    int numberSlot(double value) const
    {
        const int bin = bins.of(value);
        if (bin < 0)
            return bins.count; // under
        return bin >= bins.count ? bins.count + 1 : bin;
    }

    void add(const std::string &field) { counts->add(slotOf(field)); }

    int slotOf(const std::string &field) const
    {
        if (mayBeMissing(field) && values::isMissing(field))
            return missingSlot();
        switch (kind) {
        case Kind::Number:
            if (const auto x = values::toFloat(field))
                return numberSlot(*x);
            break;
        case Kind::Boolean:
            if (const auto b = values::toBoolean(field))
                return numberSlot(*b ? 1.0 : 0.0);
            break;
        case Kind::DateTime:
            if (const auto ms = values::toDateTimeMs(field))
                return numberSlot(double(*ms));
            break;
        case Kind::Category: {
            const auto at = std::find(categories.begin(), categories.end(), field);
            return at != categories.end() ? int(at - categories.begin()) : otherSlot();
        }
        }
        return missingSlot(); // a value of the wrong type: predict() refuses those before
    }

    /// `metric{<prefix>bin|<categoryKey>="..."} count` lines. Predictions leave out the
    /// __other__ and __missing__ slots (`features` false): every prediction has a class or a
    /// value.
    void write(QByteArray &out, const char *metric, const QByteArray &prefix, const char *categoryKey,
               bool features) const
    {
        const auto line = [&](const QByteArray &labels, int slot) {
            out += metric;
            out += '{';
            out += prefix;
            out += labels;
            out += "\"}";
            writeValue(out, counts->value(slot));
        };
        if (kind == Kind::Category) {
            const QByteArray key = categoryKey + QByteArray("=\"");
            for (std::size_t i = 0; i < categoryLabels.size(); ++i)
                line(key + categoryLabels[i], int(i));
            if (features) {
                line(key + "__other__", otherSlot());
                line(key + "__missing__", missingSlot());
            }
            return;
        }
        for (int i = 0; i < bins.count; ++i)
            line("bin=\"" + QByteArray::number(i), i);
        line("bin=\"under", bins.count);
        line("bin=\"over", bins.count + 1);
        if (features)
            line("bin=\"__missing__", missingSlot());
    }
};

namespace {

const ColumnProfile *findProfile(const QList<ColumnProfile> &profile, const QString &name)
{
    for (const ColumnProfile &column : profile) {
        if (column.name == name)
            return &column;
    }
    return nullptr;
}

} // namespace

InputStats::InputStats(const QList<ColumnProfile> &profile, const LoadedModel &model)
{
    const ModelSignature &signature = model.signature();
    for (const SignatureColumn &input : signature.inputs) {
        auto feature = std::make_unique<Feature>();
        feature->name = input.name;
        feature->nameLabel = "feature=\"" + escapeLabel(input.name) + "\",";
        const ColumnProfile *column = findProfile(profile, input.name);
        if (driftbins::isNumeric(input.type)) {
            feature->kind = input.type == ColumnType::Boolean ? Feature::Kind::Boolean
                : input.type == ColumnType::DateTime          ? Feature::Kind::DateTime
                                                              : Feature::Kind::Number;
            if (column)
                feature->bins = driftbins::NumericBins(driftbins::histogramOf(*column));
        } else {
            feature->kind = Feature::Kind::Category;
            if (column) {
                for (const auto &top : column->topValues) {
                    feature->categories.push_back(top.first.toStdString());
                    feature->categoryLabels.push_back(escapeLabel(top.first));
                }
            }
        }
        feature->allocate();
        m_features.push_back(std::move(feature));
    }

    m_predictions = std::make_unique<Feature>();
    if (signature.task == TaskKind::Regression) {
        Histogram range;
        if (const ColumnProfile *target = findProfile(profile, signature.target)) {
            range.lower = target->histogram.lower;
            range.upper = target->histogram.upper;
            if (target->histogram.counts.empty()) {
                range.lower = values::toFloat(target->min.toStdString()).value_or(0);
                range.upper = values::toFloat(target->max.toStdString()).value_or(range.lower);
            }
        }
        range.counts.assign(kPredictionBins, 0);
        m_predictions->bins = driftbins::NumericBins(range);
    } else {
        m_predictions->kind = Feature::Kind::Category;
        for (const QString &label : signature.classes) {
            m_predictions->categories.push_back(label.toStdString());
            m_predictions->categoryLabels.push_back(escapeLabel(label));
        }
    }
    m_predictions->allocate();
}

InputStats::~InputStats() = default;

void InputStats::record(const PredictionInput &input, const Predictions &predictions)
{
    // Which field holds each feature, found once for all rows: requests usually list the
    // columns in the signature's order, so the name at the same position is tried first.
    QVarLengthArray<int, 64> fieldOf(qsizetype(m_features.size()));
    for (std::size_t f = 0; f < m_features.size(); ++f) {
        const QString &name = m_features[f]->name;
        if (f < std::size_t(input.columns.size()) && sameName(input.columns.at(qsizetype(f)), name)) {
            fieldOf[qsizetype(f)] = int(f);
            continue;
        }
        fieldOf[qsizetype(f)] = int(input.columns.indexOf(name));
    }
    static const std::string kMissing;
    for (const std::vector<std::string> &row : input.rows) {
        for (std::size_t f = 0; f < m_features.size(); ++f) {
            const int field = fieldOf[qsizetype(f)];
            m_features[f]->add(field >= 0 && std::size_t(field) < row.size() ? row[std::size_t(field)] : kMissing);
        }
    }

    Feature &out = *m_predictions;
    if (out.kind == Feature::Kind::Category) {
        const std::size_t k = out.categories.size();
        if (k == 0 || predictions.values.size() < std::size_t(predictions.rows) * k)
            return;
        for (qint64 row = 0; row < predictions.rows; ++row) {
            const double *p = predictions.values.data() + std::size_t(row) * k;
            out.counts->add(int(std::max_element(p, p + k) - p));
        }
    } else {
        const std::size_t n = std::min(predictions.values.size(), std::size_t(std::max<qint64>(0, predictions.rows)));
        for (std::size_t row = 0; row < n; ++row) {
            const double y = predictions.values[row];
            out.counts->add(std::isnan(y) ? out.missingSlot() : out.numberSlot(y));
        }
    }
    m_rows.fetch_add(quint64(std::max<qint64>(0, predictions.rows)), std::memory_order_relaxed);
}

quint64 InputStats::rows() const
{
    return m_rows.load(std::memory_order_relaxed);
}

void InputStats::writePrometheus(QByteArray &out) const
{
    writeFamily(out, "kiln_feature_bin_total", "counter",
                "Input values received per feature, in the bins of the training data's profile.");
    for (const auto &feature : m_features)
        feature->write(out, "kiln_feature_bin_total", feature->nameLabel, "value", true);
    writeFamily(out, "kiln_prediction_bin_total", "counter",
                "Predictions per class, or per bin of the training target's range.");
    m_predictions->write(out, "kiln_prediction_bin_total", {}, "class", false);
}

// ---- ServeMetrics ------------------------------------------------------------------------

/// Per endpoint: a counter per HTTP status, per latency bucket (not cumulative), and the
/// summed latency in nanoseconds.
struct ServeMetrics::Counters
{
    static constexpr int kStatusBase = 0;
    static constexpr int kBucketBase = kStatusCodes;
    static constexpr int kNanoseconds = kBucketBase + kBuckets;
    static constexpr int kPerEndpoint = kNanoseconds + 1;

    static int at(int endpoint, int index) { return endpoint * kPerEndpoint + index; }

    ShardedCounters requests {kEndpoints * kPerEndpoint};
    std::atomic<quint64> swaps {0};
};

const std::array<double, 13> &ServeMetrics::latencyBounds()
{
    static const std::array<double, 13> bounds {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                0.025,  0.05,    0.1,    0.25,  0.5,    1.0};
    return bounds;
}

ServeMetrics::ServeMetrics()
    : m(std::make_unique<Counters>())
{ }

ServeMetrics::~ServeMetrics() = default;

void ServeMetrics::recordRequest(ServeEndpoint endpoint, int httpStatus, double seconds)
{
    const int e = std::clamp(int(endpoint), 0, kEndpoints - 1);
    m->requests.add(Counters::at(e, Counters::kStatusBase + std::clamp(httpStatus, 0, kStatusCodes - 1)));
    const std::array<double, 13> &bounds = latencyBounds();
    const auto bucket = int(std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
    m->requests.add(Counters::at(e, Counters::kBucketBase + bucket));
    if (seconds > 0)
        m->requests.add(Counters::at(e, Counters::kNanoseconds), quint64(std::llround(seconds * 1e9)));
}

void ServeMetrics::recordSwap()
{
    m->swaps.fetch_add(1, std::memory_order_relaxed);
    m->requests.reset();
}

QByteArray ServeMetrics::prometheusText(const ServedModel *current) const
{
    QByteArray out;
    out.reserve(16 * 1024);

    writeFamily(out, "kiln_requests_total", "counter", "Requests answered, by endpoint and HTTP status.");
    for (int e = 0; e < kEndpoints; ++e) {
        for (int status = 0; status < kStatusCodes; ++status) {
            const quint64 n = m->requests.value(Counters::at(e, Counters::kStatusBase + status));
            if (n == 0)
                continue;
            out += "kiln_requests_total{endpoint=\"";
            out += endpointName(e);
            out += "\",code=\"";
            out += QByteArray::number(status);
            out += "\"}";
            writeValue(out, n);
        }
    }

    writeFamily(out, "kiln_request_errors_total", "counter", "Requests answered with an HTTP status of 400 or more.");
    for (int e = 0; e < kEndpoints; ++e) {
        quint64 errors = 0;
        for (int status = 400; status < kStatusCodes; ++status)
            errors += m->requests.value(Counters::at(e, Counters::kStatusBase + status));
        out += "kiln_request_errors_total{endpoint=\"";
        out += endpointName(e);
        out += "\"}";
        writeValue(out, errors);
    }

    static const std::vector<QByteArray> boundLabels = [] {
        std::vector<QByteArray> labels;
        for (double bound : latencyBounds())
            labels.push_back(QByteArray::number(bound, 'f', QLocale::FloatingPointShortest));
        labels.emplace_back("+Inf");
        return labels;
    }();
    writeFamily(out, "kiln_request_duration_seconds", "histogram", "Time to answer a request, in seconds.");
    for (int e = 0; e < kEndpoints; ++e) {
        const QByteArray name = endpointName(e);
        quint64 cumulative = 0;
        for (int b = 0; b < kBuckets; ++b) {
            cumulative += m->requests.value(Counters::at(e, Counters::kBucketBase + b));
            out += "kiln_request_duration_seconds_bucket{endpoint=\"" + name + "\",le=\"" + boundLabels[std::size_t(b)]
                + "\"}";
            writeValue(out, cumulative);
        }
        out += "kiln_request_duration_seconds_sum{endpoint=\"" + name + "\"}";
        writeValue(out, double(m->requests.value(Counters::at(e, Counters::kNanoseconds))) * 1e-9);
        out += "kiln_request_duration_seconds_count{endpoint=\"" + name + "\"}";
        writeValue(out, cumulative);
    }

    writeFamily(out, "kiln_predicted_rows_total", "counter", "Rows predicted by the current model.");
    out += "kiln_predicted_rows_total";
    writeValue(out, current && current->inputStats ? current->inputStats->rows() : quint64(0));

    if (current) {
        writeFamily(out, "kiln_model_info", "gauge", "The model being served.");
        out += "kiln_model_info{name=\"" + escapeLabel(current->name) + "\",version=\""
            + QByteArray::number(current->version) + "\",sha256=\"" + escapeLabel(current->sha256) + "\"} 1\n";
    }
    writeFamily(out, "kiln_model_version", "gauge", "Version of the model being served; 0 when none is.");
    out += "kiln_model_version";
    writeValue(out, quint64(current ? std::max(0, current->version) : 0));
    writeFamily(out, "kiln_model_loaded_timestamp_seconds", "gauge",
                "When the model being served was loaded, in seconds since the epoch.");
    out += "kiln_model_loaded_timestamp_seconds";
    writeValue(out,
               current && current->loadedAt.isValid() ? double(current->loadedAt.toMSecsSinceEpoch()) / 1000.0 : 0.0);
    writeFamily(out, "kiln_model_swaps_total", "counter", "Models loaded since the agent started.");
    out += "kiln_model_swaps_total";
    writeValue(out, m->swaps.load(std::memory_order_relaxed));

    if (current && current->inputStats)
        current->inputStats->writePrometheus(out);
    return out;
}

} // namespace kiln
