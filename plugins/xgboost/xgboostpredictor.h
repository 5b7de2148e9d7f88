#pragma once

#include "training/trainer.h"
#include "xgboostapi.h"

#include <QByteArray>

#include <memory>
#include <mutex>
#include <vector>

namespace kiln::Internal {

/// An XGBoost model read once for many predictions (XGBoostTrainer::loadPredictor). Immutable;
/// predict() may run on several threads at once.
///
/// Requests of a few rows run on a booster limited to one thread, batches on one that uses
/// every core: starting a team of threads costs more than a one-row prediction. load() reads
/// the model once; the first size of request to come takes that booster, and the other size,
/// if it ever comes, reads a second one. XGBoost documents prediction as thread-safe since 1.4
/// for tree models (gbtree, dart) but not for gblinear, whose prediction updates the booster's
/// timers: tree models predict without a lock, in place from the caller's rows
/// (XGBoosterPredictFromDense, no DMatrix per call); other boosters predict through a DMatrix
/// (gblinear has no in-place prediction in 1.7), one call at a time on each booster.
class XGBoostPredictor final : public ModelPredictor
{
public:
    /// Reads the model's UBJSON bytes, refusing damaged ones (checkUbjModel).
    static Expected<std::shared_ptr<const XGBoostPredictor>> load(const QByteArray &bytes);

    XGBoostPredictor(const XGBoostPredictor &) = delete;
    XGBoostPredictor &operator=(const XGBoostPredictor &) = delete;

    Expected<std::vector<double>> predict(const TrainingData &data) const override;

private:
    /// One booster of the model, its thread count set, and the lock its predictions take when
    /// its kind is not documented thread-safe.
    struct Copy
    {
        xgb::Booster booster;
        int threads = 0; ///< 0: every core
        mutable std::mutex mutex;
    };
    /// A copy made on its first use, or why it could not be.
    struct Slot
    {
        std::once_flag made;
        std::unique_ptr<const Copy> copy;
        Error error;
    };

    XGBoostPredictor() = default;

    /// The copy of `slot`, limited to `threads`, made on first use.
    Expected<const Copy *> copy(Slot &slot, int threads) const;
    /// A booster of the model limited to `threads` (the one load() read, if no copy took it
    /// yet), set up by a first prediction: XGBoost configures a booster lazily, and this keeps
    /// that out of concurrent calls.
    Expected<std::unique_ptr<const Copy>> makeCopy(int threads) const;
    /// XGBoost's values for `data` (shape already checked): rows, or rows × classes.
    Expected<std::vector<float>> predictRaw(const Copy &copy, const TrainingData &data) const;

    QByteArray m_bytes; ///< the model, for a second copy
    qint64 m_features = 0;
    bool m_inPlace = false; ///< a tree booster: in-place prediction, no lock
    mutable std::mutex m_spareMutex;
    mutable xgb::Booster m_spare; ///< the booster load() read, until a copy takes it
    mutable Slot m_serial; ///< one thread
    mutable Slot m_parallel; ///< every core
};

} // namespace kiln::Internal
