#pragma once

#include "deploy/deploymentsdata.h"
#include "monitoring/metricssnapshot.h"

#include <QAbstractListModel>
#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QIcon>
#include <QList>
#include <QStyledItemDelegate>

#include <optional>

namespace kiln {

/// The colour of a health ("serving", "stored", "empty", "down"; empty: not asked yet).
QColor healthColor(const QString &health);
/// A round dot of healthColor(), for lists and tables.
QIcon healthDot(const QString &health);

/// The targets of the Deployments panel: name over kind and location, a health dot, the
/// target's own status in the tooltip. GUI thread.
class TargetListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetListModel)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, ///< QString
        HealthRole, ///< QString, empty until the target answered
        DetailRole, ///< QString: "kiln-serve agent · http://host:8080"
    };

    explicit TargetListModel(QObject *parent = nullptr);
    ~TargetListModel() override;

    /// Replaces the targets; statuses of targets that stay are kept.
    void setTargets(const QList<TargetConfig> &targets);
    void setStatus(const QString &target, const TargetStatus &status);
    int rowOf(const QString &target) const;
    QString nameAt(int row) const;
    const TargetConfig *target(const QString &name) const;
    /// The last status `target` reported, or null.
    const TargetStatus *status(const QString &target) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QList<TargetConfig> m_targets;
    QHash<QString, TargetStatus> m_statuses;
};

/// Draws a target as its health dot, its name in bold and its kind and location under it
/// (elided in the middle, so the port stays visible).
class TargetItemDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TargetItemDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

/// The active deployments: target, model version, health, request rate, p50/p99 latency and
/// when it was deployed. Health from the target's status, traffic from its monitor. GUI thread.
class DeploymentTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeploymentTableModel)

public:
    enum Column {
        TargetColumn,
        ModelColumn,
        HealthColumn,
        RateColumn,
        P50Column,
        P99Column,
        DeployedColumn,
        ColumnCount
    };
    enum Role {
        TargetRole = Qt::UserRole + 1, ///< QString: the row's target
        SortRole, ///< the raw value
    };

    explicit DeploymentTableModel(QObject *parent = nullptr);
    ~DeploymentTableModel() override;

    /// Replaces the rows (one per active deployment); statuses and traffic of targets that
    /// stay are kept.
    void setDeployments(const QList<DeploymentEntry> &active);
    void setStatus(const QString &target, const TargetStatus &status);
    void setTraffic(const QString &target, const TrafficSample &traffic);
    int rowOf(const QString &target) const;
    const DeploymentEntry *deployment(const QString &target) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        DeploymentEntry entry;
        std::optional<TargetStatus> status;
        std::optional<TrafficSample> traffic;
    };
    QVariant display(const Row &row, int column) const;
    QString healthText(const Row &row) const;
    QString toolTip(const Row &row) const;
    void changed(int row, int firstColumn, int lastColumn);

    QList<Row> m_rows;
};

} // namespace kiln
