// The Experiments panel's exports and named views: what a comparison is as JSON, and back.

#include "experimentspanel.h"

#include "models/runtablemodel.h"
#include "runs/savedviews.h"
#include "runstableview.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonArray>
#include <QMenu>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTabWidget>

namespace kiln {

namespace {

QJsonArray toJsonArray(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(id);
    return array;
}

QJsonArray toJsonArray(const QStringList &strings)
{
    QJsonArray array;
    for (const QString &s : strings)
        array.append(s);
    return array;
}

} // namespace

bool ExperimentsPanel::exportCurrentView(const QString &path, QString *error)
{
    ComparisonView *view = comparisonView(currentTab());
    if (!view) {
        *error = tr("the Run tab has nothing to export; choose a comparison view");
        return false;
    }
    // The view may not have seen the latest selection when it was never shown.
    updateCurrentView();
    return view->exportTo(path, error);
}

void ExperimentsPanel::chooseExportPath()
{
    ComparisonView *view = comparisonView(currentTab());
    if (!view)
        return;
    QStringList filters;
    for (const QString &format : view->exportFormats()) {
        if (format == QLatin1String("png"))
            filters.append(tr("PNG image (*.png)"));
        else if (format == QLatin1String("svg"))
            filters.append(tr("SVG drawing (*.svg)"));
        else if (format == QLatin1String("csv"))
            filters.append(tr("CSV table (*.csv)"));
    }
    const QString base = tabKeys().at(int(currentTab())) + QLatin1Char('.') + view->exportFormats().value(0);
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    QString selectedFilter = filters.value(0);
    QString path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(m_tabs->tabText(m_tabs->currentIndex())),
                                                QDir(folder).filePath(base), filters.join(QStringLiteral(";;")),
                                                &selectedFilter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty()) {
        const int at = filters.indexOf(selectedFilter);
        path += QLatin1Char('.') + view->exportFormats().value(std::max(0, at));
    }
    QString error;
    if (!exportCurrentView(path, &error))
        QMessageBox::warning(this, tr("Export failed"),
                             tr("Could not export to %1:\n%2").arg(QDir::toNativeSeparators(path), error));
}

QJsonObject ExperimentsPanel::viewSpec() const
{
    QJsonObject charts;
    for (int i = 0; i < m_views.size(); ++i) {
        const QJsonObject settings = m_views.at(i)->settings();
        if (!settings.isEmpty())
            charts.insert(tabKeys().at(i + 1), settings);
    }
    return {
        {QStringLiteral("experiments"), toJsonArray(runModel()->experiments())},
        {QStringLiteral("table"), m_table->saveState()},
        {QStringLiteral("selection"), toJsonArray(m_table->selectedRunIds())},
        {QStringLiteral("tab"), tabKeys().at(int(currentTab()))},
        {QStringLiteral("charts"), charts},
    };
}

void ExperimentsPanel::applyViewSpec(const QJsonObject &spec)
{
    QStringList experiments;
    const QJsonArray experimentArray = spec.value(QStringLiteral("experiments")).toArray();
    for (const QJsonValue value : experimentArray)
        experiments.append(value.toString());
    m_pendingSelection.clear();
    const QJsonArray selection = spec.value(QStringLiteral("selection")).toArray();
    for (const QJsonValue value : selection)
        m_pendingSelection.append(value.toInteger());
    m_pendingSettings = spec.value(QStringLiteral("charts")).toObject();
    onBrushChanged(std::nullopt);
    setExperiments(experiments);
    m_table->restoreState(spec.value(QStringLiteral("table")).toObject());
    const int tab = int(tabKeys().indexOf(spec.value(QStringLiteral("tab")).toString()));
    if (tab >= 0)
        m_tabs->setCurrentIndex(tab);
    // Selection and chart settings apply once the table has read the runs again.
    m_table->reload();
}

bool ExperimentsPanel::saveView(const QString &name, QString *error)
{
    if (!m_workspace) {
        *error = tr("no workspace is open");
        return false;
    }
    const Status status = SavedViews(m_workspace->db()).save(name, viewSpec());
    if (!status) {
        *error = status.errorMessage();
        return false;
    }
    return true;
}

bool ExperimentsPanel::openView(const QString &name, QString *error)
{
    if (!m_workspace) {
        *error = tr("no workspace is open");
        return false;
    }
    const Expected<SavedView> view = SavedViews(m_workspace->db()).view(name);
    if (!view) {
        *error = view.errorMessage();
        return false;
    }
    applyViewSpec(view->spec);
    return true;
}

void ExperimentsPanel::chooseViewName()
{
    if (!m_workspace)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save View"), tr("Name of this comparison:"), QLineEdit::Normal,
                                               QString(), &ok)
                             .trimmed();
    if (!ok || name.isEmpty())
        return;
    QString error;
    if (!saveView(name, &error))
        QMessageBox::warning(this, tr("View not saved"), tr("The view \"%1\" was not saved: %2").arg(name, error));
}

void ExperimentsPanel::updateViewsMenu()
{
    m_viewsMenu->clear();
    m_viewsMenu->addAction(m_saveView);
    if (!m_workspace)
        return;
    const Expected<QList<SavedView>> views = SavedViews(m_workspace->db()).list();
    if (!views) {
        Q_EMIT errorOccurred(tr("The saved views could not be read: %1").arg(views.errorMessage()));
        return;
    }
    if (views->isEmpty())
        return;
    m_viewsMenu->addSeparator();
    QMenu *remove = new QMenu(tr("Delete View"), m_viewsMenu);
    for (const SavedView &view : *views) {
        const QString name = view.name;
        m_viewsMenu->addAction(name, this, [this, name] {
            QString error;
            if (!openView(name, &error))
                QMessageBox::warning(this, tr("View not opened"), error);
        });
        remove->addAction(name, this, [this, name] {
            if (QMessageBox::question(this, tr("Delete View"), tr("Delete the saved view \"%1\"?").arg(name))
                != QMessageBox::Yes)
                return;
            const Status status = SavedViews(m_workspace->db()).remove(name);
            if (!status)
                QMessageBox::warning(this, tr("View not deleted"), status.errorMessage());
        });
    }
    m_viewsMenu->addSeparator();
    m_viewsMenu->addMenu(remove);
}

} // namespace kiln
