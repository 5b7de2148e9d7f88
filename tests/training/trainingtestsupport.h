#pragma once

// Generated data for the training tests: the same numbers on every platform (mt19937_64 is
// specified bit for bit; the distributions are written out here because std's are not), and a
// temporary workspace to import CSV text into for a real DatasetTable.

#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "testsupport.h"
#include "training/trainer.h"
#include "workspace/workspace.h"

#include <QTemporaryDir>

#include <cmath>
#include <memory>
#include <random>

namespace kiln::test {

class Random
{
public:
    explicit Random(quint64 seed)
        : m_engine(seed)
    { }

    /// [0, 1) with 53 random bits.
    double uniform() { return double(m_engine() >> 11) * (1.0 / 9007199254740992.0); }
    int below(int n) { return int(uniform() * n); }
    /// Standard normal by Box-Muller.
    double normal()
    {
        const double u = 1.0 - uniform();
        const double v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
    }

private:
    std::mt19937_64 m_engine;
};

inline TrainingData emptyData(TaskKind task, int columns, const QStringList &classes = {})
{
    TrainingData data;
    data.task = task;
    data.columns = columns;
    data.classes = classes;
    for (int j = 0; j < columns; ++j)
        data.featureNames.append(QStringLiteral("x%1").arg(j));
    return data;
}

/// Spambase-shaped binary data: `columns` standard-normal features, the first ten informative
/// (a linear score plus one interaction), `missing` of the values missing.
inline TrainingData binaryData(qint64 rows, int columns = 57, quint64 seed = 1, double missing = 0.03)
{
    TrainingData data
        = emptyData(TaskKind::BinaryClassification, columns, {QStringLiteral("ham"), QStringLiteral("spam")});
    Random random(seed);
    for (qint64 i = 0; i < rows; ++i) {
        std::vector<double> x(static_cast<std::size_t>(columns));
        for (double &value : x)
            value = random.normal();
        double score = 0.4 * random.normal();
        for (int j = 0; j < 10 && j < columns; ++j)
            score += (j % 2 ? -1.0 : 1.0) * (1.0 - 0.08 * j) * x[std::size_t(j)];
        if (columns > 11)
            score += 0.8 * x[10] * x[11];
        for (double value : x)
            data.features.push_back(random.uniform() < missing ? NAN : float(value));
        data.target.push_back(score > 0 ? 1.0f : 0.0f);
    }
    data.rows = rows;
    return data;
}

/// Three classes around three centres in the first four of `columns` features.
inline TrainingData multiclassData(qint64 rows, int columns = 8, quint64 seed = 2)
{
    TrainingData data = emptyData(TaskKind::MulticlassClassification, columns,
                                  {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    Random random(seed);
    const double centres[3][4] = {{2, 0, 0, 1}, {0, 2, 0, -1}, {0, 0, 2, 0}};
    for (qint64 i = 0; i < rows; ++i) {
        const int label = random.below(3);
        for (int j = 0; j < columns; ++j)
            data.features.push_back(float((j < 4 ? centres[label][j] : 0.0) + random.normal()));
        data.target.push_back(float(label));
    }
    data.rows = rows;
    return data;
}

/// y = 3 x0 + 2 sin(2 x1) + x2 x3 + noise: a linear model explains about three quarters of it.
inline TrainingData regressionData(qint64 rows, int columns = 6, quint64 seed = 3)
{
    TrainingData data = emptyData(TaskKind::Regression, columns);
    Random random(seed);
    for (qint64 i = 0; i < rows; ++i) {
        std::vector<double> x(static_cast<std::size_t>(columns));
        for (double &value : x)
            value = random.normal();
        const double y = 3 * x[0] + 2 * std::sin(2 * x[1]) + x[2] * x[3] + 0.1 * random.normal();
        for (double value : x)
            data.features.push_back(float(value));
        data.target.push_back(float(y));
    }
    data.rows = rows;
    return data;
}

/// A workspace in a temporary folder; import() turns CSV text into an open DatasetTable.
class DatasetFixture
{
public:
    DatasetFixture() { m_workspace = Workspace::open(m_dir.filePath(QStringLiteral("ws"))).value(); }

    /// The imported table, or null with error() set.
    std::shared_ptr<const DatasetTable> import(const QString &name, const QByteArray &csv)
    {
        const QString path = writeFile(m_dir.filePath(QStringLiteral("in/") + name + QStringLiteral(".csv")), csv);
        ImportRequest request;
        request.paths = {path};
        request.name = name;
        Feedback feedback;
        const ImportReport report = importPaths(*m_workspace, request, feedback);
        if (!report.failed.isEmpty()) {
            m_error = report.failed.first().message;
            return nullptr;
        }
        auto version = DatasetCatalog(m_workspace->db()).version(name);
        if (!version) {
            m_error = version.errorMessage();
            return nullptr;
        }
        auto table = DatasetTable::open(m_workspace->blobs(), *version);
        if (!table) {
            m_error = table.errorMessage();
            return nullptr;
        }
        return *table;
    }

    QString error() const { return m_error; }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    QString m_error;
};

} // namespace kiln::test
