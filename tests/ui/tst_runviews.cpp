// The run dialogs and views on their own, offscreen: what their widgets turn into (specs,
// params, sweeps) and what they refuse, without a window or a scheduler.

#include "builtinplugins.h"
#include "hyperparameterform.h"
#include "newrundialog.h"
#include "plugin/pluginmanager.h"
#include "runlogview.h"
#include "traindialog.h"
#include "uitestsupport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>

using namespace kiln;

namespace {

HyperParameter parameter(const QString &name, HyperParameter::Type type, const QVariant &defaultValue,
                         double minimum = 0, double maximum = 0, const QStringList &choices = {})
{
    HyperParameter p;
    p.name = name;
    p.type = type;
    p.defaultValue = defaultValue;
    p.minimum = minimum;
    p.maximum = maximum;
    p.choices = choices;
    p.help = QStringLiteral("Help for %1.").arg(name);
    return p;
}

ColumnProfile column(const QString &name, ColumnType type, qint64 distinct)
{
    ColumnProfile profile;
    profile.name = name;
    profile.type = type;
    profile.count = 100;
    profile.distinct = distinct;
    return profile;
}

} // namespace

class TestRunViews final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void formFollowsTheDeclaration();
    void formValidatesSweeps();
    void trainDialogBuildsTheSpec();
    void trainDialogRefusesProblems();
    void newRunDialogSplitsTheCommand();
    void logViewTailsLongLogs();

private:
    QTemporaryDir m_dir;
};

void TestRunViews::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
}

void TestRunViews::formFollowsTheDeclaration()
{
    HyperParameterForm form;
    form.setParameters({parameter(QStringLiteral("depth"), HyperParameter::Type::Integer, qint64(6), 1, 20),
                        parameter(QStringLiteral("rate"), HyperParameter::Type::Float, 0.00001, 0, 1),
                        parameter(QStringLiteral("method"), HyperParameter::Type::Choice, QStringLiteral("hist"), 0, 0,
                                  {QStringLiteral("hist"), QStringLiteral("exact")}),
                        parameter(QStringLiteral("shuffle"), HyperParameter::Type::Boolean, true)});
    auto *depth = qobject_cast<QSpinBox *>(form.editor(QStringLiteral("depth")));
    auto *rate = qobject_cast<QDoubleSpinBox *>(form.editor(QStringLiteral("rate")));
    auto *method = qobject_cast<QComboBox *>(form.editor(QStringLiteral("method")));
    auto *shuffle = qobject_cast<QCheckBox *>(form.editor(QStringLiteral("shuffle")));
    QVERIFY(depth && rate && method && shuffle);
    QCOMPARE(depth->minimum(), 1);
    QCOMPARE(depth->maximum(), 20);
    QCOMPARE(depth->value(), 6);
    QVERIFY(rate->decimals() >= 5); // the default 0.00001 must not show as 0.00
    QCOMPARE(rate->value(), 0.00001);
    QCOMPARE(method->currentText(), QStringLiteral("hist"));
    QVERIFY(shuffle->isChecked());
    QVERIFY(depth->toolTip().contains(QStringLiteral("Help for depth.")));

    QJsonObject values = form.values();
    QCOMPARE(values.value(QStringLiteral("depth")).toInteger(), 6);
    QCOMPARE(values.value(QStringLiteral("method")).toString(), QStringLiteral("hist"));
    QCOMPARE(values.value(QStringLiteral("shuffle")).toBool(), true);

    // Rebuilding for another declaration keeps what the user set on a parameter they share.
    QVERIFY(form.setValue(QStringLiteral("depth"), QStringLiteral("9")));
    QVERIFY(!form.setValue(QStringLiteral("depth"), QStringLiteral("99")));
    form.sweepEdit(QStringLiteral("method"))->setText(QStringLiteral("hist, exact"));
    form.setParameters({parameter(QStringLiteral("depth"), HyperParameter::Type::Integer, qint64(3), 1, 30),
                        parameter(QStringLiteral("method"), HyperParameter::Type::Choice, QStringLiteral("hist"), 0, 0,
                                  {QStringLiteral("hist"), QStringLiteral("exact")})});
    QCOMPARE(qobject_cast<QSpinBox *>(form.editor(QStringLiteral("depth")))->value(), 9);
    QCOMPARE(form.sweep().value(QStringLiteral("method")),
             QStringList({QStringLiteral("hist"), QStringLiteral("exact")}));
    QVERIFY(!form.editor(QStringLiteral("rate")));
    QCOMPARE(form.parameters().size(), 2);
}

void TestRunViews::formValidatesSweeps()
{
    HyperParameterForm form;
    form.setParameters({parameter(QStringLiteral("depth"), HyperParameter::Type::Integer, qint64(6), 1, 20),
                        parameter(QStringLiteral("rate"), HyperParameter::Type::Float, 0.3, 0.001, 1)});
    QVERIFY(form.validate().isEmpty());
    form.sweepEdit(QStringLiteral("depth"))->setText(QStringLiteral("2, 4,, 8 "));
    QVERIFY(form.validate().isEmpty());
    QCOMPARE(form.sweep().value(QStringLiteral("depth")),
             QStringList({QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("8")}));

    form.sweepEdit(QStringLiteral("depth"))->setText(QStringLiteral("2, 2.5, 40"));
    form.sweepEdit(QStringLiteral("rate"))->setText(QStringLiteral("0.1, 0.1"));
    const QStringList problems = form.validate();
    QCOMPARE(problems.size(), 3);
    QVERIFY2(problems.at(0).contains(QStringLiteral("depth must be an integer from 1 to 20, not '2.5'")),
             qPrintable(problems.join(u'\n')));
    QVERIFY(problems.at(1).contains(QStringLiteral("not 40")));
    QVERIFY(problems.at(2).contains(QStringLiteral("repeats")));
    QVERIFY(!form.sweepEdit(QStringLiteral("depth"))->styleSheet().isEmpty()); // marked
}

void TestRunViews::trainDialogBuildsTheSpec()
{
    DatasetVersion version;
    version.id = 7;
    version.datasetName = QStringLiteral("iris");
    version.version = 2;
    version.rowCount = 150;
    version.columnCount = 4;
    version.columns = {column(QStringLiteral("sepal"), ColumnType::Float, 35),
                       column(QStringLiteral("petal"), ColumnType::Float, 43),
                       column(QStringLiteral("colour"), ColumnType::Categorical, 3),
                       column(QStringLiteral("species"), ColumnType::Categorical, 3)};
    QList<RunSpec> submitted;
    TrainDialog dialog(version, {QStringLiteral("Default"), QStringLiteral("flowers")}, [&](const RunSpec &spec) {
        submitted << spec;
        RunRecord run;
        run.id = 42;
        return Expected<RunRecord>(run);
    });
    // The last column is the default target, and no feature; the task is detected.
    QCOMPARE(dialog.targetCombo()->currentText(), QStringLiteral("species"));
    QCOMPARE(dialog.featureList()->item(3)->checkState(), Qt::Unchecked);
    QVERIFY(!dialog.featureList()->item(3)->flags().testFlag(Qt::ItemIsEnabled));

    dialog.featureList()->item(2)->setCheckState(Qt::Unchecked);
    dialog.trainerCombo()->setCurrentIndex(dialog.trainerCombo()->findData(QStringLiteral("random-forest")));
    QVERIFY(dialog.parameterForm()->editor(QStringLiteral("colsample_bynode")));
    dialog.parameterForm()->sweepEdit(QStringLiteral("max_depth"))->setText(QStringLiteral("3, 5"));
    dialog.findChild<QComboBox *>(QStringLiteral("experimentCombo"))->setCurrentText(QStringLiteral("flowers"));
    dialog.accept();
    QCOMPARE(submitted.size(), 1);
    QCOMPARE(dialog.submittedRunId(), qint64(42));
    const RunSpec &spec = submitted.constFirst();
    QCOMPARE(spec.kind, RunSpec::Kind::Trainer);
    QCOMPARE(spec.trainer, QStringLiteral("random-forest"));
    QCOMPARE(spec.datasetRef, QStringLiteral("iris@2"));
    QCOMPARE(spec.target, QStringLiteral("species"));
    QCOMPARE(spec.features, QStringList({QStringLiteral("sepal"), QStringLiteral("petal")}));
    QCOMPARE(spec.task, QString());
    QCOMPARE(spec.experiment, QStringLiteral("flowers"));
    QCOMPARE(spec.sweep.value(QStringLiteral("max_depth")), QStringList({QStringLiteral("3"), QStringLiteral("5")}));
    QCOMPARE(spec.params.value(QStringLiteral("n_estimators")).toInteger(), 100);
    QCOMPARE(spec.name, QStringLiteral("random-forest · species · iris@2"));
    QCOMPARE(spec.seed, quint64(42));
}

void TestRunViews::trainDialogRefusesProblems()
{
    DatasetVersion version;
    version.datasetName = QStringLiteral("events");
    version.version = 1;
    version.columns = {column(QStringLiteral("size"), ColumnType::Integer, 50),
                       column(QStringLiteral("when"), ColumnType::DateTime, 90)};
    int submissions = 0;
    TrainDialog dialog(version, {}, [&](const RunSpec &) {
        ++submissions;
        return Expected<RunRecord>(Error {QStringLiteral("the store is read-only")});
    });
    // A date-time target cannot be learnt; the dialog says so before anything is queued.
    dialog.accept();
    QCOMPARE(submissions, 0);
    QVERIFY2(dialog.errorLabel()->text().contains(QStringLiteral("when holds datetime values")),
             qPrintable(dialog.errorLabel()->text()));
    // Fixed, the message goes; the submission's own error is shown in its place.
    dialog.targetCombo()->setCurrentIndex(0);
    QVERIFY2(!dialog.errorLabel()->text().contains(QStringLiteral("datetime")),
             qPrintable(dialog.errorLabel()->text()));
    dialog.accept();
    QCOMPARE(submissions, 1);
    QVERIFY(dialog.errorLabel()->text().contains(QStringLiteral("the store is read-only")));
    QCOMPARE(dialog.submittedRunId(), qint64(0));
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void TestRunViews::newRunDialogSplitsTheCommand()
{
    QList<RunSpec> submitted;
    NewRunDialog dialog({QStringLiteral("Default")}, [&](const RunSpec &spec) {
        submitted << spec;
        RunRecord run;
        run.id = 5;
        return Expected<RunRecord>(run);
    });
    dialog.commandEdit()->setText(QStringLiteral("/usr/bin/python3 \"my train.py\" --fast"));
    dialog.workingFolderEdit()->setText(m_dir.path());
    dialog.addParam(QStringLiteral("lr"), QStringLiteral("0.1"), QStringLiteral("0.1, 0.01"));
    dialog.addParam(QStringLiteral("epochs"), QStringLiteral("3"));
    dialog.addParam(QStringLiteral("bad name"), QStringLiteral("1"));
    dialog.accept();
    QVERIFY(submitted.isEmpty());
    QVERIFY(dialog.errorLabel()->text().contains(QStringLiteral("“bad name” is not a parameter name")));
    dialog.paramsTable()->removeRow(2);
    QVERIFY(dialog.problems().isEmpty());
    dialog.accept();
    QCOMPARE(submitted.size(), 1);
    const RunSpec &spec = submitted.constFirst();
    QCOMPARE(spec.kind, RunSpec::Kind::Command);
    QCOMPARE(
        spec.command,
        QStringList({QStringLiteral("/usr/bin/python3"), QStringLiteral("my train.py"), QStringLiteral("--fast")}));
    QCOMPARE(spec.workingDir, m_dir.path());
    QCOMPARE(spec.params.value(QStringLiteral("epochs")).toString(), QStringLiteral("3"));
    QCOMPARE(spec.sweep.value(QStringLiteral("lr")), QStringList({QStringLiteral("0.1"), QStringLiteral("0.01")}));
    QCOMPARE(spec.name, QStringLiteral("python3 my train.py"));
    QCOMPARE(dialog.submittedRunId(), qint64(5));

    NewRunDialog missing({}, [](const RunSpec &) { return Expected<RunRecord>(RunRecord()); });
    missing.workingFolderEdit()->setText(m_dir.filePath(QStringLiteral("no/such/folder")));
    const QStringList problems = missing.problems();
    QCOMPARE(problems.size(), 2);
    QVERIFY(problems.at(0).contains(QStringLiteral("does not exist")));
    QVERIFY(problems.at(1).contains(QStringLiteral("Type the command")));
}

void TestRunViews::logViewTailsLongLogs()
{
    // 3 MiB of numbered lines: more than the view reads at first.
    QByteArray text;
    int lines = 0;
    while (text.size() < 3 * 1024 * 1024)
        text += "line " + QByteArray::number(++lines) + " of a long training log\n";
    const QString path = test::writeFile(m_dir.filePath(QStringLiteral("long/log.txt")), text);
    RunLogView view;
    view.showLog(path);
    const QString shown = view.editor()->toPlainText();
    QVERIFY(shown.endsWith(QStringLiteral("line %1 of a long training log").arg(lines)));
    QVERIFY(!shown.contains(QStringLiteral("line 1 of a long")));
    QVERIFY(shown.startsWith(QStringLiteral("line "))); // starts at a line's beginning
    QVERIFY(!view.findChild<QLabel *>(QStringLiteral("logNote"))->isHidden());
    QVERIFY(view.editor()->isReadOnly());

    // Appended lines come in on the next poll; a line without its newline waits for it.
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    file.write("epoch 1 done\nepoch 2 ha");
    file.flush();
    view.poll();
    QVERIFY(view.editor()->toPlainText().endsWith(QStringLiteral("epoch 1 done")));
    file.write("lf done\n");
    file.flush();
    view.poll();
    QVERIFY(view.editor()->toPlainText().endsWith(QStringLiteral("epoch 2 half done")));

    // A run that writes faster than the view reads: the view jumps to the end and says so.
    QByteArray burst;
    while (burst.size() < 5 * 1024 * 1024)
        burst += "burst line of the log\n";
    file.write(burst + "the very end\n");
    file.flush();
    view.poll();
    QVERIFY(view.editor()->toPlainText().contains(QStringLiteral("of log skipped")));
    QVERIFY(view.editor()->toPlainText().endsWith(QStringLiteral("the very end")));

    view.showLog(m_dir.filePath(QStringLiteral("long/missing.txt")), QStringLiteral("nothing yet"));
    QVERIFY(view.editor()->toPlainText().isEmpty());
    QCOMPARE(view.editor()->placeholderText(), QStringLiteral("nothing yet"));
}

QTEST_MAIN(TestRunViews)
#include "tst_runviews.moc"
