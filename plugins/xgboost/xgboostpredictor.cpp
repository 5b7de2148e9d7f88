#include "xgboostpredictor.h"

#include <limits>
#include <string>

namespace kiln::Internal {

namespace {

// Requests of up to this many rows use the one-thread booster. XGBoost's CPU predictor hands
// rows to its threads in blocks of 64, so such a request keeps one thread busy whatever the
// thread count, and waking the others only costs time (a one-row prediction took about twice
// as long on a worker thread with XGBoost 1.7 on 2 cores).
constexpr qint64 kOneThreadRows = 64;

} // namespace

Expected<std::shared_ptr<const XGBoostPredictor>> XGBoostPredictor::load(const QByteArray &bytes)
{
    auto booster = xgb::loadModel(bytes);
    if (!booster)
        return booster.error();
    const auto features = xgb::featureCount(booster->get());
    if (!features)
        return features.error();
    if (*features <= 0)
        return Error {QStringLiteral("the model takes no features")};
    const auto kind = xgb::boosterName(booster->get());
    if (!kind)
        return kind.error();
    std::shared_ptr<XGBoostPredictor> predictor(new XGBoostPredictor);
    predictor->m_bytes = bytes;
    predictor->m_features = *features;
    predictor->m_inPlace = *kind == QLatin1String("gbtree");
    predictor->m_spare = std::move(*booster);
    return std::shared_ptr<const XGBoostPredictor>(std::move(predictor));
}

Expected<std::vector<double>> XGBoostPredictor::predict(const TrainingData &data) const
{
    if (data.rows == 0)
        return std::vector<double> {};
    if (data.columns != m_features)
        return Error {QStringLiteral("the model takes %1 features; the data has %2").arg(m_features).arg(data.columns)};
    if (const Status shaped = xgb::checkShape(data); !shaped)
        return shaped.error();
    const bool few = data.rows <= kOneThreadRows;
    const auto booster = few ? copy(m_serial, 1) : copy(m_parallel, 0);
    if (!booster)
        return booster.error();
    const auto predicted = predictRaw(**booster, data);
    if (!predicted)
        return predicted.error();
    const std::vector<float> &values = *predicted;

    const auto rows = std::size_t(data.rows);
    const std::size_t perRow = data.task == TaskKind::MulticlassClassification ? std::size_t(data.classes.size()) : 1;
    if (values.size() != rows * perRow)
        return Error {QStringLiteral("the model gave %1 predictions for %2 rows of a %3 task: it was trained for "
                                     "another task")
                          .arg(values.size())
                          .arg(rows)
                          .arg(taskKindName(data.task))};
    std::vector<double> out;
    if (data.task == TaskKind::BinaryClassification) {
        out.resize(rows * 2);
        for (std::size_t i = 0; i < rows; ++i) {
            out[2 * i] = 1.0 - double(values[i]);
            out[2 * i + 1] = double(values[i]);
        }
    } else {
        out.assign(values.begin(), values.end());
    }
    return out;
}

Expected<const XGBoostPredictor::Copy *> XGBoostPredictor::copy(Slot &slot, int threads) const
{
    std::call_once(slot.made, [&] {
        auto made = makeCopy(threads);
        if (made)
            slot.copy = std::move(*made);
        else
            slot.error = made.error();
    });
    if (!slot.copy)
        return slot.error;
    return slot.copy.get();
}

Expected<std::unique_ptr<const XGBoostPredictor::Copy>> XGBoostPredictor::makeCopy(int threads) const
{
    xgb::Booster booster;
    {
        const std::lock_guard lock(m_spareMutex);
        booster = std::move(m_spare);
    }
    if (!booster) {
        auto loaded = xgb::loadModel(m_bytes);
        if (!loaded)
            return loaded.error();
        booster = std::move(*loaded);
    }
    if (threads > 0) {
        if (const Status set = xgb::setParam(booster.get(), "nthread", std::to_string(threads)); !set)
            return set.error();
    }
    auto copy = std::make_unique<Copy>();
    copy->booster = std::move(booster);
    copy->threads = threads;
    TrainingData probe; // one row of missing values
    probe.rows = 1;
    probe.columns = int(m_features);
    probe.features.assign(std::size_t(m_features), std::numeric_limits<float>::quiet_NaN());
    if (const auto predicted = predictRaw(*copy, probe); !predicted)
        return predicted.error();
    return std::unique_ptr<const Copy>(std::move(copy));
}

Expected<std::vector<float>> XGBoostPredictor::predictRaw(const Copy &copy, const TrainingData &data) const
{
    if (m_inPlace) {
        const auto predicted = xgb::predictInPlace(copy.booster.get(), data.features.data(), data.rows, data.columns);
        if (!predicted)
            return predicted.error();
        // XGBoost's buffer is this thread's: copied before this thread's next XGBoost call.
        return std::vector<float>(predicted->values, predicted->values + predicted->size);
    }
    const std::lock_guard lock(copy.mutex);
    const auto matrix = xgb::makeMatrix(data, copy.threads, xgb::Labels::Without);
    if (!matrix)
        return matrix.error();
    const auto predicted = xgb::predict(copy.booster.get(), matrix->get());
    if (!predicted)
        return predicted.error();
    return std::vector<float>(predicted->values, predicted->values + predicted->size);
}

} // namespace kiln::Internal
