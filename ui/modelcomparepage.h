#pragma once

#include "registry/registrytypes.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QTableView;

namespace kiln {

class DiffTable;
class ElidedLabel;
class VersionDiffModel;

/// The Compare tab: two versions of the model side by side (model facts, metrics, params,
/// input schema) in a DiffTable, the lines that differ tinted, "Only differences" to hide the
/// rest. Starts with the current version against the one before it.
class ModelComparePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelComparePage)

public:
    explicit ModelComparePage(QWidget *parent = nullptr);
    ~ModelComparePage() override;

    /// The model's versions (newest first) and the current one; compares it with the previous.
    void setVersions(const QList<ModelVersion> &versions, int current);
    void clear();
    /// Compares version `left` with version `right` (numbers).
    void compare(int left, int right);
    int leftVersion() const;
    int rightVersion() const;

    QComboBox *leftCombo() const { return m_left; }
    QComboBox *rightCombo() const { return m_right; }
    QCheckBox *onlyDifferencesBox() const { return m_onlyDifferences; }
    QTableView *table() const;
    VersionDiffModel *model() const { return m_model; }
    ElidedLabel *summaryLabel() const { return m_summary; }

private:
    void updateDiff();
    const ModelVersion *find(int version) const;

    QList<ModelVersion> m_versions;
    QComboBox *m_left = nullptr;
    QComboBox *m_right = nullptr;
    QCheckBox *m_onlyDifferences = nullptr;
    VersionDiffModel *m_model = nullptr;
    DiffTable *m_table = nullptr;
    ElidedLabel *m_summary = nullptr;
};

} // namespace kiln
