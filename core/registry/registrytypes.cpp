// The registry's value types: version statuses, model signatures, lineage, references to a
// version ("churn@champion"), name rules, and their JSON forms (stored in the workspace and in
// bundles).
#include "registry/registrytypes.h"

#include <QJsonValue>

#include <algorithm>

namespace kiln {

namespace {

bool isAsciiLetter(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'));
}

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

bool isAllDigits(QStringView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isAsciiDigit);
}

/// "v12" or "V12": a version, not an alias.
bool isVersionWord(QStringView text)
{
    return text.size() >= 2 && (text.front() == QLatin1Char('v') || text.front() == QLatin1Char('V'))
        && isAllDigits(text.mid(1));
}

QJsonObject pairsToJson(const QList<QPair<QString, QString>> &pairs)
{
    QJsonObject object;
    for (const auto &[key, value] : pairs)
        object.insert(key, value);
    return object;
}

QList<QPair<QString, QString>> pairsFromJson(const QJsonObject &object)
{
    QList<QPair<QString, QString>> pairs;
    for (auto it = object.begin(); it != object.end(); ++it)
        pairs.append({it.key(), it.value().toString()});
    return pairs;
}

} // namespace

// ---- VersionStatus ---------------------------------------------------------------------------

QString versionStatusName(VersionStatus status)
{
    switch (status) {
    case VersionStatus::Ready:
        return QStringLiteral("ready");
    case VersionStatus::Staging:
        return QStringLiteral("staging");
    case VersionStatus::Production:
        return QStringLiteral("production");
    case VersionStatus::Archived:
        return QStringLiteral("archived");
    }
    return QStringLiteral("ready");
}

std::optional<VersionStatus> versionStatusFromName(const QString &name)
{
    const QString lower = name.trimmed().toLower();
    for (VersionStatus status :
         {VersionStatus::Ready, VersionStatus::Staging, VersionStatus::Production, VersionStatus::Archived}) {
        if (versionStatusName(status) == lower)
            return status;
    }
    return std::nullopt;
}

// ---- ModelSignature --------------------------------------------------------------------------

ModelSignature ModelSignature::fromEncoding(const FeatureEncoding &encoding, const QList<ColumnProfile> &profile)
{
    ModelSignature signature;
    signature.task = encoding.task;
    signature.target = encoding.target;
    signature.targetType = encoding.targetType;
    signature.classes = encoding.classes;
    for (const EncodedColumn &column : encoding.columns) {
        SignatureColumn input;
        input.name = column.name;
        input.type = column.type;
        if (column.isOneHot()) {
            input.categories = column.levels;
            // Training keeps only the most frequent levels of a wide column: the rest were
            // seen, so they must be accepted (and encoded as "none of the levels").
            const auto it = std::find_if(profile.begin(), profile.end(),
                                         [&](const ColumnProfile &p) { return p.name == column.name; });
            input.otherCategories = it != profile.end() && it->distinct > qint64(column.levels.size());
        }
        signature.inputs.append(input);
    }
    return signature;
}

QStringList ModelSignature::outputNames() const
{
    if (task == TaskKind::Regression)
        return {QStringLiteral("prediction")};
    QStringList names {QStringLiteral("label")};
    for (const QString &label : classes)
        names.append(QStringLiteral("p_") + label);
    return names;
}

const SignatureColumn *ModelSignature::input(const QString &name) const
{
    for (const SignatureColumn &column : inputs) {
        if (column.name == name)
            return &column;
    }
    return nullptr;
}

QJsonObject ModelSignature::toJson() const
{
    QJsonArray inputArray;
    for (const SignatureColumn &column : inputs) {
        QJsonObject entry {{QStringLiteral("name"), column.name},
                           {QStringLiteral("type"), columnTypeName(column.type)}};
        if (column.type == ColumnType::Categorical || column.type == ColumnType::Text) {
            entry.insert(QStringLiteral("categories"), QJsonArray::fromStringList(column.categories));
            entry.insert(QStringLiteral("otherCategories"), column.otherCategories);
        }
        inputArray.append(entry);
    }
    const QJsonObject outputs {
        {QStringLiteral("task"), taskKindName(task)},
        {QStringLiteral("target"), target},
        {QStringLiteral("targetType"), columnTypeName(targetType)},
        {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
        {QStringLiteral("columns"), QJsonArray::fromStringList(outputNames())},
    };
    return QJsonObject {{QStringLiteral("inputs"), inputArray}, {QStringLiteral("outputs"), outputs}};
}

Expected<ModelSignature> ModelSignature::fromJson(const QJsonObject &json)
{
    const auto fail
        = [](const QString &what) { return Error {QStringLiteral("the model signature is unreadable: %1").arg(what)}; };
    ModelSignature signature;
    const QJsonValue inputsValue = json.value(QStringLiteral("inputs"));
    if (!inputsValue.isArray())
        return fail(QStringLiteral("no \"inputs\" list"));
    for (const auto &value : inputsValue.toArray()) {
        const QJsonObject entry = value.toObject();
        SignatureColumn column;
        column.name = entry.value(QStringLiteral("name")).toString();
        const QString typeName = entry.value(QStringLiteral("type")).toString();
        const auto type = columnTypeFromString(typeName);
        if (column.name.isEmpty())
            return fail(QStringLiteral("an input without a name"));
        if (!type)
            return fail(QStringLiteral("input '%1' has an unknown type '%2'").arg(column.name, typeName));
        if (signature.input(column.name))
            return fail(QStringLiteral("input '%1' is listed twice").arg(column.name));
        column.type = *type;
        for (const auto &category : entry.value(QStringLiteral("categories")).toArray())
            column.categories.append(category.toString());
        column.otherCategories = entry.value(QStringLiteral("otherCategories")).toBool(false);
        signature.inputs.append(column);
    }
    if (signature.inputs.isEmpty())
        return fail(QStringLiteral("no inputs"));

    const QJsonObject outputs = json.value(QStringLiteral("outputs")).toObject();
    const QString taskName = outputs.value(QStringLiteral("task")).toString();
    const auto task = taskKindFromName(taskName);
    if (!task)
        return fail(QStringLiteral("unknown task '%1'").arg(taskName));
    const auto targetType = columnTypeFromString(outputs.value(QStringLiteral("targetType")).toString());
    if (!targetType)
        return fail(QStringLiteral("the target has no type"));
    signature.task = *task;
    signature.target = outputs.value(QStringLiteral("target")).toString();
    signature.targetType = *targetType;
    for (const auto &label : outputs.value(QStringLiteral("classes")).toArray())
        signature.classes.append(label.toString());
    if ((signature.task == TaskKind::Regression) != signature.classes.isEmpty()
        || (signature.task == TaskKind::BinaryClassification && signature.classes.size() != 2))
        return fail(QStringLiteral("%1 classes for a %2 task").arg(signature.classes.size()).arg(taskName));
    return signature;
}

// ---- ModelLineage ----------------------------------------------------------------------------

QJsonObject ModelLineage::toJson() const
{
    QJsonObject metricObject;
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        metricObject.insert(it.key(), it.value());
    return QJsonObject {
        {QStringLiteral("source"), source},
        {QStringLiteral("bundleFile"), bundleFile},
        {QStringLiteral("origin"), origin},
        {QStringLiteral("runUuid"), runUuid},
        {QStringLiteral("runName"), runName},
        {QStringLiteral("experiment"), experiment},
        {QStringLiteral("library"), library},
        {QStringLiteral("dataset"),
         QJsonObject {{QStringLiteral("name"), datasetName},
                      {QStringLiteral("version"), datasetVersion},
                      {QStringLiteral("sha256"), datasetSha256},
                      {QStringLiteral("rows"), datasetRows}}},
        {QStringLiteral("params"), pairsToJson(params)},
        {QStringLiteral("metrics"), metricObject},
    };
}

ModelLineage ModelLineage::fromJson(const QJsonObject &json)
{
    ModelLineage lineage;
    lineage.source = json.value(QStringLiteral("source")).toString();
    lineage.bundleFile = json.value(QStringLiteral("bundleFile")).toString();
    lineage.origin = json.value(QStringLiteral("origin")).toString();
    lineage.runUuid = json.value(QStringLiteral("runUuid")).toString();
    lineage.runName = json.value(QStringLiteral("runName")).toString();
    lineage.experiment = json.value(QStringLiteral("experiment")).toString();
    lineage.library = json.value(QStringLiteral("library")).toString();
    const QJsonObject dataset = json.value(QStringLiteral("dataset")).toObject();
    lineage.datasetName = dataset.value(QStringLiteral("name")).toString();
    lineage.datasetVersion = dataset.value(QStringLiteral("version")).toInt();
    lineage.datasetSha256 = dataset.value(QStringLiteral("sha256")).toString();
    lineage.datasetRows = dataset.value(QStringLiteral("rows")).toInteger();
    lineage.params = pairsFromJson(json.value(QStringLiteral("params")).toObject());
    const QJsonObject metricObject = json.value(QStringLiteral("metrics")).toObject();
    for (auto it = metricObject.begin(); it != metricObject.end(); ++it)
        lineage.metrics.insert(it.key(), it.value().toDouble());
    return lineage;
}

// ---- ModelVersion, ModelRef ------------------------------------------------------------------

bool ModelVersion::isPredictable() const
{
    return modelFormat != QLatin1String("mlflow");
}

Status ModelVersion::checkPredictable() const
{
    if (isPredictable())
        return {};
    return Error {QStringLiteral("%1 was imported from MLflow: Kiln keeps its MLmodel for reference but cannot predict "
                                 "with, bundle or deploy it; register a run trained in Kiln instead")
                      .arg(ref())};
}

bool ModelVersion::isDeployed() const
{
    return std::any_of(deployments.begin(), deployments.end(),
                       [](const DeploymentRecord &deployment) { return deployment.isActive(); });
}

Expected<ModelRef> ModelRef::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    const qsizetype at = trimmed.indexOf(QLatin1Char('@'));
    ModelRef ref;
    ref.name = at < 0 ? trimmed : trimmed.left(at);
    if (Status valid = validateModelName(ref.name); !valid)
        return Error {QStringLiteral("'%1' names no model: %2").arg(text, valid.errorMessage())};
    if (at < 0)
        return ref;
    const QString what = trimmed.mid(at + 1);
    const auto usage = [&](const QString &reason) {
        return Error {QStringLiteral("'%1' names no version: %2 (write %3@3, %3@champion or %3@latest)")
                          .arg(text, reason, ref.name)};
    };
    if (what.isEmpty())
        return usage(QStringLiteral("nothing after '@'"));
    if (what.compare(QLatin1String("latest"), Qt::CaseInsensitive) == 0)
        return ref;
    if (isAllDigits(what) || isVersionWord(what)) {
        bool ok = false;
        const int number = (isAllDigits(what) ? what : what.mid(1)).toInt(&ok);
        if (!ok || number < 1)
            return usage(QStringLiteral("version numbers start at 1"));
        ref.version = number;
        return ref;
    }
    if (Status valid = validateAliasName(what); !valid)
        return usage(valid.errorMessage());
    ref.alias = what;
    return ref;
}

// ---- Name rules ------------------------------------------------------------------------------

Status validateAliasName(const QString &alias)
{
    constexpr int kMaxAliasLength = 64;
    if (alias.isEmpty())
        return Error {QStringLiteral("an alias cannot be empty")};
    if (alias.size() > kMaxAliasLength)
        return Error {
            QStringLiteral("alias '%1…' is longer than %2 characters").arg(alias.left(16)).arg(kMaxAliasLength)};
    if (!isAsciiLetter(alias.front()))
        return Error {QStringLiteral("alias '%1' must start with a letter (a-z or A-Z)").arg(alias)};
    for (QChar c : alias) {
        if (!isAsciiLetter(c) && !isAsciiDigit(c) && c != QLatin1Char('-') && c != QLatin1Char('_'))
            return Error {
                QStringLiteral("alias '%1' may hold only letters, digits, '-' and '_', not '%2'").arg(alias, c)};
    }
    if (alias.compare(QLatin1String("latest"), Qt::CaseInsensitive) == 0)
        return Error {QStringLiteral("'%1' cannot be an alias: it always names the newest version").arg(alias)};
    if (isVersionWord(alias))
        return Error {QStringLiteral("'%1' cannot be an alias: it names version %2").arg(alias, alias.mid(1))};
    return Status::success();
}

Status validateModelName(const QString &name)
{
    constexpr int kMaxNameLength = 128;
    if (name.trimmed().isEmpty())
        return Error {QStringLiteral("a model name cannot be blank")};
    if (name.size() > kMaxNameLength)
        return Error {
            QStringLiteral("model name '%1…' is longer than %2 characters").arg(name.left(16)).arg(kMaxNameLength)};
    for (QChar c : name) {
        if (c == QLatin1Char('@') || c == QLatin1Char('/') || c == QLatin1Char('\\'))
            return Error {QStringLiteral("model name '%1' cannot contain '%2'").arg(name, c)};
        if (c.category() == QChar::Other_Control)
            return Error {QStringLiteral("model name '%1' cannot contain control characters").arg(name)};
    }
    return Status::success();
}

// ---- Column profiles -------------------------------------------------------------------------

QJsonArray profileToJson(const QList<ColumnProfile> &profile)
{
    QJsonArray array;
    for (const ColumnProfile &column : profile) {
        array.append(QJsonObject {{QStringLiteral("name"), column.name},
                                  {QStringLiteral("type"), columnTypeName(column.type)},
                                  {QStringLiteral("stats"), column.statsToJson()}});
    }
    return array;
}

QList<ColumnProfile> profileFromJson(const QJsonArray &json)
{
    QList<ColumnProfile> profile;
    for (const auto &value : json) {
        const QJsonObject entry = value.toObject();
        const QString name = entry.value(QStringLiteral("name")).toString();
        const auto type = columnTypeFromString(entry.value(QStringLiteral("type")).toString());
        if (name.isEmpty() || !type)
            continue; // a column this Kiln cannot type is of no use to a drift check
        profile.append(ColumnProfile::fromJson(name, *type, entry.value(QStringLiteral("stats")).toObject()));
    }
    return profile;
}

} // namespace kiln
