#include "newrundialog.h"

#include "appearance.h"
#include "theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

namespace kiln {

namespace {

const QString kWorkingFolderKey = QStringLiteral("newRun/workingFolder");
enum ParamColumn { NameColumn, ValueColumn, SweepColumn };

QStringList commaList(const QString &text)
{
    QStringList values;
    const QStringList parts = text.split(u',');
    for (const QString &part : parts) {
        if (!part.trimmed().isEmpty())
            values << part.trimmed();
    }
    return values;
}

QString cellText(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

/// "python3 fit.py" for "/usr/bin/python3 /home/me/fit.py --epochs 8": the program and what
/// it runs, without folders or options.
QString defaultName(const QStringList &command)
{
    if (command.isEmpty())
        return {};
    QString name = QFileInfo(command.constFirst()).fileName();
    if (command.size() > 1 && !command.at(1).startsWith(u'-'))
        name += u' ' + QFileInfo(command.at(1)).fileName();
    return name;
}

} // namespace

NewRunDialog::NewRunDialog(const QStringList &experiments, Submitter submitter, QWidget *parent)
    : QDialog(parent)
    , m_submitter(std::move(submitter))
{
    setObjectName(QStringLiteral("newRunDialog"));
    setWindowTitle(tr("New Run"));

    m_command = new QLineEdit(this);
    m_command->setObjectName(QStringLiteral("commandLine"));
    m_command->setPlaceholderText(tr("python3 train.py --epochs 10"));
    m_command->setToolTip(tr("Split into program and arguments as a shell splits it: quote arguments with "
                             "spaces. No shell runs it, so pipes and $VARIABLES are not expanded."));

    m_workingFolder = new QLineEdit(this);
    m_workingFolder->setObjectName(QStringLiteral("workingFolder"));
    m_workingFolder->setText(QSettings().value(kWorkingFolderKey, QDir::homePath()).toString());
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &NewRunDialog::chooseWorkingFolder);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_workingFolder, 1);
    folderRow->addWidget(browse);

    m_outputFolder = new QLineEdit(this);
    m_outputFolder->setObjectName(QStringLiteral("outputFolder"));
    m_outputFolder->setPlaceholderText(tr("empty: a folder of the run's own (KILN_OUTPUT_DIR)"));
    m_outputFolder->setToolTip(tr("Every file the command writes here is kept as an artifact of the run. "
                                  "Relative to the working folder."));

    m_run = RunOptionFields::create(experiments, this);
    m_run.name->setPlaceholderText(tr("program and script"));
    m_run.timeout->setToolTip(tr("A run still going after this long is stopped (with every process it started) "
                                 "and fails."));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Command"), m_command);
    form->addRow(tr("Working folder"), folderRow);
    form->addRow(tr("Output folder"), m_outputFolder);
    auto *queueRow = new QHBoxLayout;
    queueRow->addWidget(m_run.experiment, 2);
    queueRow->addWidget(new QLabel(tr("Name"), this));
    queueRow->addWidget(m_run.name, 2);
    queueRow->addWidget(new QLabel(tr("Retries"), this));
    queueRow->addWidget(m_run.retries);
    queueRow->addWidget(new QLabel(tr("Timeout"), this));
    queueRow->addWidget(m_run.timeout);
    form->addRow(tr("Experiment"), queueRow);
    form->addRow(tr("Run on"), m_run.placement);

    auto *help = new QLabel(this);
    help->setObjectName(QStringLiteral("protocolHelp"));
    help->setWordWrap(true);
    help->setTextFormat(Qt::RichText);
    help->setTextInteractionFlags(Qt::TextSelectableByMouse);
    appearance::setTextRole(help, appearance::TextRole::Muted);
    help->setText(tr("Report metrics from Python with the <b>kiln_tracking</b> module Kiln puts on the "
                     "PYTHONPATH:<br><code>import kiln_tracking as kiln; kiln.log_metric('loss', v, step=i)"
                     "</code><br>also <code>log_param</code>, <code>log_result</code> and "
                     "<code>log_artifact</code>. Any other program prints JSON lines such as "
                     "<code>{\"kiln\": \"metric\", \"key\": \"loss\", \"value\": 0.2, \"step\": 3}</code>; "
                     "everything else it prints is the run's log. The exit code decides whether the run "
                     "finished or failed."));

    m_error = newProblemsLabel(QStringLiteral("newRunError"), this);
    m_buttons = newRunButtons(this, tr("Start"), QStringLiteral("startButton"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(createParamsSection(), 1);
    layout->addWidget(help);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    // Once problems are shown, they follow the edits: a fixed field loses its message at once.
    const auto recheck = [this] {
        if (!m_error->isHidden())
            showProblems(problems());
    };
    for (QLineEdit *edit : {m_command, m_workingFolder, m_outputFolder})
        connect(edit, &QLineEdit::textChanged, this, recheck);
    connect(m_run.experiment, &QComboBox::currentTextChanged, this, recheck);
    connect(m_params, &QTableWidget::itemChanged, this, recheck);
    connect(m_params->model(), &QAbstractItemModel::rowsRemoved, this, recheck);
    resize(820, 560);
}

NewRunDialog::~NewRunDialog() = default;

QWidget *NewRunDialog::createParamsSection()
{
    auto *box = new QGroupBox(tr("Parameters"), this);
    m_params = new QTableWidget(0, 3, box);
    m_params->setObjectName(QStringLiteral("paramsTable"));
    m_params->setHorizontalHeaderLabels({tr("Name"), tr("Value"), tr("Sweep values (comma-separated)")});
    m_params->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    m_params->horizontalHeader()->setSectionResizeMode(ValueColumn, QHeaderView::Interactive);
    m_params->horizontalHeader()->setStretchLastSection(true);
    m_params->setColumnWidth(NameColumn, 180);
    m_params->setColumnWidth(ValueColumn, 200);
    m_params->verticalHeader()->hide();
    m_params->setToolTip(tr("Passed as “--name value” arguments after the command, and as KILN_PARAM_NAME "
                            "environment variables. Sweep values make one run per combination."));
    auto *add = new QPushButton(tr("Add"), box);
    add->setObjectName(QStringLiteral("addParam"));
    auto *remove = new QPushButton(tr("Remove"), box);
    remove->setObjectName(QStringLiteral("removeParam"));
    connect(add, &QPushButton::clicked, this, [this] {
        addParam();
        m_params->editItem(m_params->item(m_params->rowCount() - 1, NameColumn));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_params->currentRow();
        if (row >= 0)
            m_params->removeRow(row);
    });
    auto *buttons = new QVBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto *layout = new QHBoxLayout(box);
    layout->addWidget(m_params, 1);
    layout->addLayout(buttons);
    return box;
}

void NewRunDialog::addParam(const QString &name, const QString &value, const QString &sweep)
{
    const int row = m_params->rowCount();
    m_params->insertRow(row);
    m_params->setItem(row, NameColumn, new QTableWidgetItem(name));
    m_params->setItem(row, ValueColumn, new QTableWidgetItem(value));
    m_params->setItem(row, SweepColumn, new QTableWidgetItem(sweep));
    m_params->setCurrentCell(row, NameColumn);
}

void NewRunDialog::chooseWorkingFolder()
{
    auto *dialog = new QFileDialog(this, tr("Working Folder"), m_workingFolder->text());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, m_workingFolder, &QLineEdit::setText);
    dialog->open();
}

RunSpec NewRunDialog::spec() const
{
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = QProcess::splitCommand(m_command->text());
    spec.workingDir = m_workingFolder->text().trimmed();
    spec.outputDir = m_outputFolder->text().trimmed();
    for (int row = 0; row < m_params->rowCount(); ++row) {
        const QString name = cellText(m_params, row, NameColumn);
        if (name.isEmpty())
            continue;
        spec.params.insert(name, cellText(m_params, row, ValueColumn));
        const QStringList sweep = commaList(cellText(m_params, row, SweepColumn));
        if (!sweep.isEmpty())
            spec.sweep.insert(name, sweep);
    }
    m_run.fill(spec);
    if (spec.name.isEmpty())
        spec.name = defaultName(spec.command);
    return spec;
}

QStringList NewRunDialog::problems() const
{
    QStringList problems;
    const RunSpec run = spec();
    const QFileInfo folder(run.workingDir);
    if (run.workingDir.isEmpty() || !folder.isDir())
        problems << tr("The working folder %1 does not exist.").arg(QDir::toNativeSeparators(run.workingDir));
    if (run.command.isEmpty()) {
        problems << tr("Type the command to run, e.g. python3 train.py.");
    } else {
        const QString program = run.command.constFirst();
        const bool hasPath = program.contains(u'/');
        const QString found
            = hasPath ? QDir(run.workingDir).absoluteFilePath(program) : QStandardPaths::findExecutable(program);
        if (found.isEmpty() || !QFileInfo(found).isExecutable() || QFileInfo(found).isDir())
            problems << (hasPath ? tr("%1 is not an executable file.").arg(program)
                                 : tr("%1 was not found on the PATH.").arg(program));
    }
    static const QRegularExpression paramName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]*$"));
    QStringList names;
    for (int row = 0; row < m_params->rowCount(); ++row) {
        const QString name = cellText(m_params, row, NameColumn);
        const bool rowUsed = !name.isEmpty() || !cellText(m_params, row, ValueColumn).isEmpty()
            || !cellText(m_params, row, SweepColumn).isEmpty();
        if (!rowUsed)
            continue;
        if (!paramName.match(name).hasMatch())
            problems << tr("Parameter row %1: “%2” is not a parameter name (letters, digits, _ . -).")
                            .arg(row + 1)
                            .arg(name);
        else if (names.contains(name))
            problems << tr("Parameter %1 is given twice.").arg(name);
        names << name;
    }
    if (run.experiment.isEmpty())
        problems << tr("Give the experiment a name.");
    problems << m_run.problems();
    return problems;
}

void NewRunDialog::accept()
{
    const qint64 id = submitRun(m_error, problems(), [this] { return m_submitter(spec()); });
    if (id == 0)
        return;
    QSettings().setValue(kWorkingFolderKey, m_workingFolder->text().trimmed());
    m_run.saveDefaults();
    m_submittedRunId = id;
    QDialog::accept();
}

void NewRunDialog::showProblems(const QStringList &problems)
{
    showRunProblems(m_error, problems);
}

} // namespace kiln
