// kilnctl: Kiln from a shell, for scripts and CI/CD. Every command takes --workspace DIR and
// --json, and exits 0 on success, 1 with a one-line reason on failure, 2 on a usage error.
#include "builtinplugins.h"
#include "cli.h"
#include "util/openmp.h"

#include <QCoreApplication>

#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

using namespace kiln::cli;

int main(int argc, char **argv)
{
    // Only training, prediction and serving run OpenMP (XGBoost) in this process: other commands
    // skip the re-exec.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "train") == 0 || std::strcmp(argv[i], "demo") == 0
            || std::strcmp(argv[i], "predict") == 0 || std::strcmp(argv[i], "serve") == 0
            || std::strcmp(argv[i], "worker") == 0) {
            kiln::ensurePassiveOpenMpWait(argv);
            break;
        }
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kilnctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("Kiln"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KILN_VERSION));
    kiln::linkBuiltinPlugins();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Kiln from the command line.\n\n"
        "Commands (MODEL is NAME, NAME@VERSION or NAME@ALIAS):\n"
        "  workspace init [DIR]              create a workspace (or open an existing one)\n"
        "  workspace info                    schema, counts and integrity check\n"
        "  workspace push --to LOCATION      copy this workspace into another (a team store postgresql://...)\n"
        "  workspace pull --from LOCATION    copy another workspace (a team store) into this one\n"
        "  import PATH... [--name NAME]      import files, folders and archives\n"
        "  datasets list                     datasets with their latest version\n"
        "  datasets show NAME[@VERSION]      a version: source, hash, schema, history\n"
        "  datasets rows NAME[@VERSION]      rows (--limit N, --offset N)\n"
        "  datasets stats NAME[@VERSION]     per-column statistics\n"
        "  train DATASET --target COLUMN     train a built-in model (--trainer, --param k=v, --sweep k=v1,v2)\n"
        "  run [OPTIONS] -- COMMAND...       run any training command and track it\n"
        "  runs list [--filter EXPR]         runs with status and results (--order-by COL, --limit N)\n"
        "  runs compare RUN RUN...           params, metrics and tags side by side (--all: equal lines too)\n"
        "  runs export --format csv          every column of the runs table (--filter, --order-by, --output)\n"
        "  runs show RUN                     params, results, metrics, artifacts\n"
        "  runs metrics RUN [--key K]        step metrics\n"
        "  runs cancel RUN                   cancel a queued or running run\n"
        "  worker --run RUN                  run one queued run here (what a Slurm job runs on its node)\n"
        "  trainers                          built-in trainers and their hyperparameters\n"
        "  models list                       registered models: latest version, aliases\n"
        "  models show MODEL                 a model's versions, or one version: schema, lineage, card\n"
        "  models register RUN --name NAME   a run's model as the model's next version (--description)\n"
        "  models alias NAME VERSION ALIAS   point an alias at a version (NAME ALIAS --remove: drop it)\n"
        "  models tag NAME@VERSION K=V...    set a version's tags (--remove KEY: drop one; NAME alone: the model's)\n"
        "  models status NAME@VERSION S      set ready, staging, production or archived\n"
        "  models delete NAME@VERSION        delete a version (--yes; refused while deployed)\n"
        "  models export NAME@VERSION        write a bundle (-o FILE; default NAME-vN.kiln.tar.gz here)\n"
        "  models import FILE                add a bundle's model as a new version (--name NAME)\n"
        "  predict MODEL --input FILE        predictions for CSV or JSON rows (- reads stdin; --format json)\n"
        "  predict MODEL --dataset NAME      predictions for a stored dataset version (NAME@VERSION)\n"
        "  targets add NAME --kind KIND      a deployment target (--location LOC, --option k=v, --secret-file FILE)\n"
        "  targets list                      the workspace's targets: kind, location, options\n"
        "  targets remove NAME               remove a target and its secret (refused while it serves)\n"
        "  targets kinds                     target kinds (agent, ssh, oci, folder) and their fields\n"
        "  deploy NAME@VERSION --target T    push a version to a target (--retries N; Ctrl+C cancels)\n"
        "  deployments list                  active deployments (--all: history; --target NAME, --model NAME)\n"
        "  deployments status TARGET         what the target serves, its health and metrics URL\n"
        "  deployments rollback TARGET       back to the version the target served before\n"
        "  deployments undeploy TARGET       stop serving on the target\n"
        "  serve --bundle FILE [--port N]    run the serving agent here until Ctrl+C (--host, --data, --token-file)\n"
        "  demo --workspace DIR              build a demo workspace: generated data, trained runs\n"
        "  mlflow import PATH                an MLflow store (mlruns/ folder or mlflow.db): runs, models\n"
        "                                    (--include-deleted, --no-artifacts; again: only what changed)\n"
        "  mlflow export DIR                 runs as an mlruns/ folder MLflow reads (--run RUN..., --experiment)\n\n"
        "Secrets (agent tokens, passwords) are never arguments: --secret-file FILE, --secret-env VAR or\n"
        "--secret-stdin; they are kept outside the workspace: in the desktop keychain where one exists,\n"
        "otherwise in a file only you can read ($KILN_CREDENTIALS_FILE forces that file).\n\n"
        "Filters use MLflow's search syntax, for example:\n"
        "  metrics.auc > 0.9 and params.max_depth = '6' and tags.team LIKE 'vision%'"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("workspace"),
         QStringLiteral("Workspace folder or team store postgresql://[user@]host[:port]/db (default: the user's "
                        "default workspace)."),
         QStringLiteral("LOCATION")},
        {QStringLiteral("to"), QStringLiteral("workspace push: the workspace to copy into."),
         QStringLiteral("LOCATION")},
        {QStringLiteral("from"), QStringLiteral("workspace pull: the workspace to copy from."),
         QStringLiteral("LOCATION")},
        {QStringLiteral("blobs"),
         QStringLiteral("workspace init|push|pull: a new team store's blob folder (shared by every machine)."),
         QStringLiteral("DIR")},
        {QStringLiteral("run"),
         QStringLiteral("worker: the run to execute (its number or id); mlflow export: a run to write (repeatable)."),
         QStringLiteral("RUN")},
        {QStringLiteral("include-deleted"),
         QStringLiteral("mlflow import: also deleted experiments and runs (tagged kiln.mlflow.deleted).")},
        {QStringLiteral("no-artifacts"), QStringLiteral("mlflow import: leave run artifacts out.")},
        {QStringLiteral("slurm"), QStringLiteral("train, run: submit the run(s) to Slurm instead of the local queue.")},
        {QStringLiteral("cpus"), QStringLiteral("--slurm: CPUs per run (--cpus-per-task)."), QStringLiteral("N")},
        {QStringLiteral("mem"), QStringLiteral("--slurm: memory per run, e.g. 512M or 4G (--mem)."),
         QStringLiteral("SIZE")},
        {QStringLiteral("time"), QStringLiteral("--slurm: time limit, minutes or HH:MM:SS (--time)."),
         QStringLiteral("LIMIT")},
        {QStringLiteral("partition"), QStringLiteral("--slurm: the partition (--partition)."), QStringLiteral("NAME")},
        {QStringLiteral("json"), QStringLiteral("Print machine-readable JSON.")},
        {QStringLiteral("name"),
         QStringLiteral("import: dataset name for a single file; models register|import: the model's name."),
         QStringLiteral("NAME")},
        {QStringLiteral("delimiter"), QStringLiteral("Field delimiter (one character or 'tab'); detected by default."),
         QStringLiteral("C")},
        {QStringLiteral("header"), QStringLiteral("Whether the first row is a header: yes or no; detected by default."),
         QStringLiteral("yes|no")},
        {QStringLiteral("encoding"), QStringLiteral("utf-8 or latin-1; detected by default."), QStringLiteral("ENC")},
        {QStringLiteral("limit"), QStringLiteral("Rows to print (default 20)."), QStringLiteral("N")},
        {QStringLiteral("offset"), QStringLiteral("First row to print (default 0)."), QStringLiteral("N")},
        {QStringLiteral("target"),
         QStringLiteral("train: the column to predict; deploy, deployments list: the target's name."),
         QStringLiteral("NAME")},
        {QStringLiteral("trainer"), QStringLiteral("train: boosted-trees (default), random-forest or linear."),
         QStringLiteral("NAME")},
        {QStringLiteral("task"), QStringLiteral("train: binary, multiclass or regression; detected by default."),
         QStringLiteral("TASK")},
        {QStringLiteral("features"), QStringLiteral("train: comma-separated feature columns; default all others."),
         QStringLiteral("COLS")},
        {QStringLiteral("param"), QStringLiteral("A hyperparameter or command parameter (repeatable)."),
         QStringLiteral("NAME=VALUE")},
        {QStringLiteral("sweep"), QStringLiteral("Values to sweep over (repeatable): one run per combination."),
         QStringLiteral("NAME=V1,V2")},
        {QStringLiteral("samples"), QStringLiteral("Random search: this many points of the --sweep values."),
         QStringLiteral("N")},
        {QStringLiteral("experiment"),
         QStringLiteral("Experiment to file runs under (default: Default); mlflow export: its runs."),
         QStringLiteral("NAME")},
        {QStringLiteral("run-name"), QStringLiteral("A name for the run."), QStringLiteral("NAME")},
        {QStringLiteral("test-fraction"), QStringLiteral("train: share of rows held out for testing (0.2)."),
         QStringLiteral("F")},
        {QStringLiteral("validation-fraction"), QStringLiteral("train: share of rows for validation curves (0.1)."),
         QStringLiteral("F")},
        {QStringLiteral("folds"), QStringLiteral("train: k-fold cross-validation on the training rows."),
         QStringLiteral("K")},
        {QStringLiteral("no-stratify"), QStringLiteral("train: split without keeping class proportions.")},
        {QStringLiteral("seed"), QStringLiteral("Random seed for splits, sweeps and training (42)."),
         QStringLiteral("N")},
        {QStringLiteral("retries"),
         QStringLiteral(
             "Retry a failed run this many times; deploy: a push that could not connect or got a 5xx (default 3)."),
         QStringLiteral("N")},
        {QStringLiteral("timeout"), QStringLiteral("Fail a run that takes longer (seconds)."), QStringLiteral("S")},
        {QStringLiteral("workdir"), QStringLiteral("run: working folder of the command (default: here)."),
         QStringLiteral("DIR")},
        {QStringList {QStringLiteral("o"), QStringLiteral("output")},
         QStringLiteral("run: folder whose files become artifacts; runs export, predict: file to write (default "
                        "stdout); models export: the bundle file."),
         QStringLiteral("PATH")},
        {QStringLiteral("concurrency"), QStringLiteral("Runs at once (default: cores)."), QStringLiteral("N")},
        {QStringLiteral("detach"), QStringLiteral("Queue the runs and return; a running Kiln app runs them.")},
        {QStringLiteral("status"), QStringLiteral("runs list: only runs in this status."), QStringLiteral("STATUS")},
        {QStringLiteral("key"), QStringLiteral("runs metrics: only this metric (repeatable)."), QStringLiteral("KEY")},
        {QStringLiteral("filter"), QStringLiteral("runs list|export: only runs matching an MLflow-style expression."),
         QStringLiteral("EXPR")},
        {QStringLiteral("order-by"),
         QStringLiteral(
             "runs list|export: order by a column, e.g. \"metrics.auc DESC\" (newest run first by default)."),
         QStringLiteral("COL")},
        {QStringLiteral("all"),
         QStringLiteral("runs compare: show equal lines too, not only what differs; deployments list: ended ones "
                        "too.")},
        {QStringLiteral("format"),
         QStringLiteral("runs export: the file format (csv); predict: csv (default) or json."),
         QStringLiteral("FORMAT")},
        {QStringLiteral("input"), QStringLiteral("predict: rows to predict, a CSV or JSON file; - reads stdin."),
         QStringLiteral("FILE")},
        {QStringLiteral("dataset"), QStringLiteral("predict: a stored dataset version to predict on."),
         QStringLiteral("NAME[@V]")},
        {QStringLiteral("description"), QStringLiteral("models register: the model's description."),
         QStringLiteral("TEXT")},
        {QStringLiteral("remove"),
         QStringLiteral("models alias: remove the alias instead of setting it; models tag: bare KEY words name "
                        "tags to remove.")},
        {QStringLiteral("yes"), QStringLiteral("models delete: confirm; the version cannot be restored.")},
        {QStringLiteral("kind"), QStringLiteral("targets add: agent, ssh, oci or folder (see targets kinds)."),
         QStringLiteral("KIND")},
        {QStringLiteral("location"),
         QStringLiteral("targets add: where, e.g. http://host:8080, ssh://user@host/srv/kiln, a folder."),
         QStringLiteral("LOC")},
        {QStringLiteral("option"), QStringLiteral("targets add: one of the kind's settings (repeatable)."),
         QStringLiteral("KEY=VALUE")},
        {QStringLiteral("secret-file"), QStringLiteral("targets add: read the target's token or password from FILE."),
         QStringLiteral("FILE")},
        {QStringLiteral("secret-env"),
         QStringLiteral("targets add: read the target's token or password from the environment variable VAR."),
         QStringLiteral("VAR")},
        {QStringLiteral("secret-stdin"),
         QStringLiteral("targets add: read the target's token or password from stdin.")},
        {QStringLiteral("model"), QStringLiteral("deployments list: only deployments of this model."),
         QStringLiteral("NAME")},
        {QStringLiteral("bundle"), QStringLiteral("serve: the bundle to serve (kilnctl models export)."),
         QStringLiteral("FILE")},
        {QStringLiteral("port"), QStringLiteral("serve: the port to listen on (8080; 0: any free port)."),
         QStringLiteral("N")},
        {QStringLiteral("host"), QStringLiteral("serve: the address to listen on (127.0.0.1; 0.0.0.0: all)."),
         QStringLiteral("ADDR")},
        {QStringLiteral("data"),
         QStringLiteral("serve: the agent's folder for its bundles (default: kiln-serve in the app data folder)."),
         QStringLiteral("DIR")},
        {QStringLiteral("token-file"),
         QStringLiteral("serve: the admin token for pushes and rollback (default: $KILN_SERVE_TOKEN)."),
         QStringLiteral("FILE")},
        {QStringLiteral("threads"), QStringLiteral("serve: HTTP server threads (0: one per core)."),
         QStringLiteral("N")},
    });
    parser.process(app);

    const QStringList words = parser.positionalArguments();
    Context ctx(parser);
    if (words.isEmpty())
        return ctx.usage(QStringLiteral("no command given"));

    using Command = std::function<int(Context &)>;
    const std::map<QString, Command> twoWord = {
        {QStringLiteral("workspace init"), workspaceInit},
        {QStringLiteral("workspace info"), workspaceInfo},
        {QStringLiteral("workspace push"), workspacePush},
        {QStringLiteral("workspace pull"), workspacePull},
        {QStringLiteral("datasets list"), datasetsList},
        {QStringLiteral("datasets show"), datasetsShow},
        {QStringLiteral("datasets rows"), datasetsRows},
        {QStringLiteral("datasets stats"), datasetsStats},
        {QStringLiteral("runs list"), runsList},
        {QStringLiteral("runs show"), runsShow},
        {QStringLiteral("runs metrics"), runsMetrics},
        {QStringLiteral("runs cancel"), runsCancel},
        {QStringLiteral("runs compare"), runsCompare},
        {QStringLiteral("runs export"), runsExport},
        {QStringLiteral("models list"), modelsList},
        {QStringLiteral("models show"), modelsShow},
        {QStringLiteral("models register"), modelsRegister},
        {QStringLiteral("models alias"), modelsAlias},
        {QStringLiteral("models tag"), modelsTag},
        {QStringLiteral("models status"), modelsStatus},
        {QStringLiteral("models delete"), modelsDelete},
        {QStringLiteral("models export"), modelsExport},
        {QStringLiteral("models import"), modelsImport},
        {QStringLiteral("targets add"), targetsAdd},
        {QStringLiteral("targets list"), targetsList},
        {QStringLiteral("targets remove"), targetsRemove},
        {QStringLiteral("targets kinds"), targetsKinds},
        {QStringLiteral("deployments list"), deploymentsList},
        {QStringLiteral("deployments status"), deploymentsStatus},
        {QStringLiteral("deployments rollback"), deploymentsRollback},
        {QStringLiteral("deployments undeploy"), deploymentsUndeploy},
        {QStringLiteral("mlflow import"), mlflowImport},
        {QStringLiteral("mlflow export"), mlflowExport},
    };
    const std::map<QString, Command> oneWord = {
        {QStringLiteral("import"), importPaths}, {QStringLiteral("train"), train},
        {QStringLiteral("run"), runCommand},     {QStringLiteral("trainers"), trainersList},
        {QStringLiteral("demo"), demo},          {QStringLiteral("predict"), predict},
        {QStringLiteral("deploy"), deploy},      {QStringLiteral("serve"), serve},
        {QStringLiteral("worker"), worker},
    };
    if (const auto it = oneWord.find(words.first()); it != oneWord.end()) {
        ctx.args = words.mid(1);
        return it->second(ctx);
    }
    if (words.size() >= 2) {
        const auto it = twoWord.find(words[0] + QLatin1Char(' ') + words[1]);
        if (it != twoWord.end()) {
            ctx.args = words.mid(2);
            return it->second(ctx);
        }
    }
    return ctx.usage(QStringLiteral("unknown command '%1'").arg(words.join(QLatin1Char(' '))));
}
