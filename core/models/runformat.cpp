#include "models/runformat.h"

#include <QFileInfo>
#include <QHash>
#include <QLocale>

#include <cmath>

namespace kiln::runformat {

QString metricValue(double value)
{
    if (!std::isfinite(value))
        return QString::number(value);
    const double magnitude = std::abs(value);
    if (magnitude != 0 && (magnitude >= 1e9 || magnitude < 1e-4))
        return QString::number(value, 'g', 4);
    const int digitsBeforePoint = magnitude < 1 ? 1 : int(std::floor(std::log10(magnitude))) + 1;
    return QString::number(value, 'f', std::max(0, 5 - digitsBeforePoint));
}

QString duration(double seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 10)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const qint64 whole = qint64(std::llround(seconds));
    if (whole < 60)
        return QStringLiteral("%1 s").arg(whole);
    if (whole < 3600)
        return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(whole / 3600).arg(whole % 3600 / 60, 2, 10, QLatin1Char('0'));
}

QString statusText(RunStatus status)
{
    QString name = runStatusName(status);
    if (!name.isEmpty())
        name[0] = name.at(0).toUpper();
    return name;
}

QString sourceText(const RunSpec &spec)
{
    switch (spec.kind) {
    case RunSpec::Kind::Trainer:
        return spec.trainer;
    case RunSpec::Kind::Command: {
        if (spec.command.isEmpty())
            return {};
        QStringList shown = spec.command;
        // The program's folder rarely matters in a narrow column; the tooltip has it all.
        shown[0] = QFileInfo(shown.at(0)).fileName();
        for (QString &argument : shown) {
            if (argument.contains(u' ') || argument.isEmpty())
                argument = u'"' % argument % u'"';
        }
        return shown.join(u' ');
    }
    case RunSpec::Kind::Sweep:
        if (!spec.command.isEmpty())
            return QStringLiteral("sweep: ") % QFileInfo(spec.command.at(0)).fileName();
        return QStringLiteral("sweep: ") % spec.trainer;
    case RunSpec::Kind::Imported:
        return spec.command.isEmpty() ? QStringLiteral("MLflow")
                                      : QStringLiteral("MLflow: ") % QFileInfo(spec.command.at(0)).fileName();
    }
    return {};
}

QString resultLabel(const QString &key)
{
    static const QHash<QString, QString> labels = {
        {QStringLiteral("accuracy"), QStringLiteral("Accuracy")},
        {QStringLiteral("precision_macro"), QStringLiteral("Precision (macro)")},
        {QStringLiteral("recall_macro"), QStringLiteral("Recall (macro)")},
        {QStringLiteral("f1_macro"), QStringLiteral("F1 (macro)")},
        {QStringLiteral("precision_weighted"), QStringLiteral("Precision (weighted)")},
        {QStringLiteral("recall_weighted"), QStringLiteral("Recall (weighted)")},
        {QStringLiteral("f1_weighted"), QStringLiteral("F1 (weighted)")},
        {QStringLiteral("roc_auc"), QStringLiteral("ROC AUC")},
        {QStringLiteral("log_loss"), QStringLiteral("Log loss")},
        {QStringLiteral("rmse"), QStringLiteral("RMSE")},
        {QStringLiteral("mae"), QStringLiteral("MAE")},
        {QStringLiteral("r2"), QStringLiteral("R²")},
        {QStringLiteral("mape"), QStringLiteral("MAPE")},
        {QStringLiteral("max_error"), QStringLiteral("Max error")},
        {QStringLiteral("fit_seconds"), QStringLiteral("Fit time (s)")},
        {QStringLiteral("cv_accuracy_mean"), QStringLiteral("CV accuracy (mean)")},
        {QStringLiteral("cv_accuracy_std"), QStringLiteral("CV accuracy (std)")},
        {QStringLiteral("cv_rmse_mean"), QStringLiteral("CV RMSE (mean)")},
        {QStringLiteral("cv_rmse_std"), QStringLiteral("CV RMSE (std)")},
    };
    return labels.value(key, key);
}

} // namespace kiln::runformat
