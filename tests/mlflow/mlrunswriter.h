#pragma once

// Writes MLflow file stores (mlruns/) for the tests, byte for byte as MLflow 2.x writes them:
// mlflow/store/tracking/file_store.py and mlflow/store/model_registry/file_store.py, whose
// meta.yaml files come from yaml.safe_dump(default_flow_style=False, allow_unicode=True,
// sort_keys=True). safeDump() below follows PyYAML's emitter (plain, single-quoted and
// double-quoted scalars, line folding at column 80) so a test can build any tree without
// Python; tst_mlflowfilestore checks it against python3's yaml module.
//
// Deliberately independent of core/mlflow: a reader checked against a writer that shares its
// code would share its mistakes.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QMap>
#include <QPair>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariant>
#include <QVariantMap>

#include <algorithm>

namespace kiln::test::mlruns {

/// Default time of everything written (ms since the epoch).
constexpr qint64 kTime = 1'700'000'000'000;
/// RunSpec::end for a run that has not ended (meta.yaml `end_time: null`).
constexpr qint64 kNoEnd = -1;

// ---------------------------------------------------------------------------------------
// YAML as PyYAML's SafeDumper writes it

namespace detail {

/// Whether PyYAML's resolver reads `value`, written plain, as something other than a string
/// (bool, int, float, null, timestamp, merge, value): such strings are quoted.
inline bool resolvesAsNonString(const QString &value)
{
    static const QRegularExpression patterns[] = {
        QRegularExpression(
            QStringLiteral(R"(^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$)")),
        QRegularExpression(QStringLiteral(
            R"(^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)"
            R"(|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$)")),
        QRegularExpression(QStringLiteral(R"(^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*))"
                                          R"(|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$)")),
        QRegularExpression(QStringLiteral(R"(^(?:~|null|Null|NULL|)$)")),
        QRegularExpression(QStringLiteral(R"(^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?)"
                                          R"(|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+))"
                                          R"([0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?)"
                                          R"((?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$)")),
        QRegularExpression(QStringLiteral(R"(^(?:<<|=)$)")),
    };
    for (const QRegularExpression &pattern : patterns) {
        if (pattern.match(value).hasMatch())
            return true;
    }
    return false;
}

inline bool isBreak(char32_t ch)
{
    return ch == U'\n' || ch == 0x85 || ch == 0x2028 || ch == 0x2029;
}

inline bool isWhitespace(char32_t ch)
{
    return ch == 0 || ch == U' ' || ch == U'\t' || ch == U'\r' || isBreak(ch);
}

enum class Style { Plain, Single, Double };

/// PyYAML's Emitter.analyze_scalar + choose_scalar_style for a block mapping value, with
/// allow_unicode=True.
inline Style chooseStyle(const QString &value)
{
    if (value.isEmpty() || resolvesAsNonString(value))
        return Style::Single;
    const QList<uint> text = value.toUcs4();
    bool blockIndicators = value.startsWith(QLatin1String("---")) || value.startsWith(QLatin1String("..."));
    bool flowIndicators = blockIndicators;
    bool lineBreaks = false, special = false;
    bool leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
    bool breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;
    bool precededByWhitespace = true;
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char32_t ch = text[i];
        const bool followedByWhitespace = i + 1 >= size || isWhitespace(text[i + 1]);
        if (i == 0) {
            if (QStringLiteral("#,[]{}&*!|>'\"%@`").contains(QChar(ch)))
                flowIndicators = blockIndicators = true;
            if (ch == U'?' || ch == U':') {
                flowIndicators = true;
                if (followedByWhitespace)
                    blockIndicators = true;
            }
            if (ch == U'-' && followedByWhitespace)
                flowIndicators = blockIndicators = true;
        } else {
            if (ch < 0x80 && QStringLiteral(",?[]{}").contains(QChar(ch)))
                flowIndicators = true;
            if (ch == U':') {
                flowIndicators = true;
                if (followedByWhitespace)
                    blockIndicators = true;
            }
            if (ch == U'#' && precededByWhitespace)
                flowIndicators = blockIndicators = true;
        }
        if (isBreak(ch))
            lineBreaks = true;
        if (!(ch == U'\n' || (ch >= 0x20 && ch <= 0x7E))) {
            const bool printable = (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD)
                                    || (ch >= 0x10000 && ch < 0x10FFFF))
                && ch != 0xFEFF;
            if (!printable)
                special = true;
        }
        if (ch == U' ') {
            leadingSpace = leadingSpace || i == 0;
            trailingSpace = trailingSpace || i == size - 1;
            breakSpace = breakSpace || previousBreak;
            previousSpace = true;
            previousBreak = false;
        } else if (isBreak(ch)) {
            leadingBreak = leadingBreak || i == 0;
            trailingBreak = trailingBreak || i == size - 1;
            spaceBreak = spaceBreak || previousSpace;
            previousSpace = false;
            previousBreak = true;
        } else {
            previousSpace = previousBreak = false;
        }
        precededByWhitespace = isWhitespace(ch);
    }
    bool blockPlain = true, singleQuoted = true;
    if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
        blockPlain = false;
    if (breakSpace)
        blockPlain = singleQuoted = false;
    if (spaceBreak || special)
        blockPlain = singleQuoted = false;
    if (lineBreaks)
        blockPlain = false;
    if (blockIndicators)
        blockPlain = false;
    (void)flowIndicators; // only block context is written here
    if (blockPlain)
        return Style::Plain;
    return singleQuoted ? Style::Single : Style::Double;
}

/// The emitter's output state: the text and the column it has reached.
struct Out
{
    QString text;
    int column = 0;
    bool whitespace = false;
    bool indention = false;

    void write(const QList<uint> &chars, qsizetype from, qsizetype to)
    {
        text += QString::fromUcs4(reinterpret_cast<const char32_t *>(chars.constData() + from), to - from);
        column += int(to - from);
    }
    void write(const QString &data)
    {
        text += data;
        column += int(data.toUcs4().size());
    }
    void lineBreak()
    {
        text += u'\n';
        whitespace = indention = true;
        column = 0;
    }
    void indent(int indent)
    {
        if (!indention || column > indent || (column == indent && !whitespace))
            lineBreak();
        if (column < indent) {
            whitespace = true;
            text += QString(indent - column, u' ');
            column = indent;
        }
    }
};

constexpr int kBestWidth = 80;

inline void writePlain(Out &out, const QString &value, int indent)
{
    const QList<uint> text = value.toUcs4();
    out.write(QStringLiteral(" "));
    bool spaces = false;
    qsizetype start = 0;
    for (qsizetype end = 0; end <= text.size(); ++end) {
        const char32_t ch = end < text.size() ? text[end] : 0;
        const bool atEnd = end == text.size();
        if (spaces) {
            if (atEnd || ch != U' ') {
                if (start + 1 == end && out.column > kBestWidth) {
                    out.indent(indent);
                    out.whitespace = out.indention = false;
                } else {
                    out.write(text, start, end);
                }
                start = end;
            }
        } else if (atEnd || ch == U' ' || isBreak(ch)) {
            out.write(text, start, end);
            start = end;
        }
        if (!atEnd)
            spaces = ch == U' ';
    }
}

inline void writeSingleQuoted(Out &out, const QString &value, int indent)
{
    const QList<uint> text = value.toUcs4();
    out.write(QStringLiteral(" '"));
    out.whitespace = false;
    bool spaces = false, breaks = false;
    qsizetype start = 0;
    for (qsizetype end = 0; end <= text.size(); ++end) {
        const bool atEnd = end == text.size();
        const char32_t ch = atEnd ? 0 : text[end];
        if (spaces) {
            if (atEnd || ch != U' ') {
                if (start + 1 == end && out.column > kBestWidth && start != 0 && end != text.size())
                    out.indent(indent);
                else
                    out.write(text, start, end);
                start = end;
            }
        } else if (breaks) {
            if (atEnd || !isBreak(ch)) {
                if (text[start] == U'\n')
                    out.lineBreak();
                for (qsizetype i = start; i < end; ++i) {
                    if (text[i] == U'\n') {
                        out.lineBreak();
                    } else {
                        out.write(text, i, i + 1);
                        out.whitespace = out.indention = true;
                        out.column = 0;
                    }
                }
                out.indent(indent);
                start = end;
            }
        } else if (atEnd || ch == U' ' || isBreak(ch) || ch == U'\'') {
            if (start < end) {
                out.write(text, start, end);
                start = end;
            }
        }
        if (ch == U'\'') {
            out.write(QStringLiteral("''"));
            start = end + 1;
        }
        if (!atEnd) {
            spaces = ch == U' ';
            breaks = isBreak(ch);
        }
    }
    out.write(QStringLiteral("'"));
}

/// Double-quoted with PyYAML's escapes. Unlike PyYAML it never folds a long double-quoted
/// line (only strings with control characters get here; the tests keep those short).
inline void writeDoubleQuoted(Out &out, const QString &value)
{
    QString data = QStringLiteral(" \"");
    for (const uint ch : value.toUcs4()) {
        static const QMap<uint, char> escapes = {{0, '0'},     {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'},   {0x0A, 'n'},
                                                 {0x0B, 'v'},  {0x0C, 'f'}, {0x0D, 'r'}, {0x1B, 'e'},   {'"', '"'},
                                                 {'\\', '\\'}, {0x85, 'N'}, {0xA0, '_'}, {0x2028, 'L'}, {0x2029, 'P'}};
        const bool plainChar
            = (ch >= 0x20 && ch <= 0x7E) || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD);
        if (ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xFEFF || !plainChar) {
            if (escapes.contains(ch))
                data += u'\\' + QChar::fromLatin1(escapes.value(ch));
            else if (ch <= 0xFF)
                data += QStringLiteral("\\x") + QString::number(ch, 16).toUpper().rightJustified(2, u'0');
            else if (ch <= 0xFFFF)
                data += QStringLiteral("\\u") + QString::number(ch, 16).toUpper().rightJustified(4, u'0');
            else
                data += QStringLiteral("\\U") + QString::number(ch, 16).toUpper().rightJustified(8, u'0');
        } else {
            data += QString::fromUcs4(reinterpret_cast<const char32_t *>(&ch), 1);
        }
    }
    out.write(data + u'"');
}

inline void writeMap(Out &out, const QVariantMap &map, int indent);

inline void writeValue(Out &out, const QVariant &value, int indent)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        out.write(QStringLiteral(" null"));
        return;
    case QMetaType::Bool:
        out.write(value.toBool() ? QStringLiteral(" true") : QStringLiteral(" false"));
        return;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        out.write(u' ' + QString::number(value.toLongLong()));
        return;
    case QMetaType::QVariantMap: {
        const QVariantMap map = value.toMap();
        if (map.isEmpty()) {
            out.write(QStringLiteral(" {}"));
            return;
        }
        writeMap(out, map, indent + 2);
        return;
    }
    case QMetaType::QStringList:
    case QMetaType::QVariantList: {
        const QVariantList list = value.toList();
        if (list.isEmpty()) {
            out.write(QStringLiteral(" []"));
            return;
        }
        for (const QVariant &item : list) { // a block sequence of scalars at the key's indent
            out.indent(indent);
            out.write(QStringLiteral("-"));
            writeValue(out, item, indent);
        }
        return;
    }
    default:
        break;
    }
    const QString text = value.toString();
    switch (chooseStyle(text)) {
    case Style::Plain:
        writePlain(out, text, indent + 2);
        break;
    case Style::Single:
        writeSingleQuoted(out, text, indent + 2);
        break;
    case Style::Double:
        writeDoubleQuoted(out, text);
        break;
    }
}

inline void writeMap(Out &out, const QVariantMap &map, int indent)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        out.indent(indent);
        out.write(it.key() + u':');
        out.whitespace = false;
        writeValue(out, it.value(), indent);
    }
}

} // namespace detail

/// yaml.safe_dump(map, default_flow_style=False, allow_unicode=True, sort_keys=True) for maps
/// of str (QString), int (qint64/int), None (QVariant()), bool, empty lists and nested maps.
/// QVariantMap orders keys as Python's sorted() does for the keys MLflow uses.
inline QByteArray safeDump(const QVariantMap &map)
{
    if (map.isEmpty())
        return "{}\n";
    detail::Out out;
    out.whitespace = out.indention = true;
    detail::writeMap(out, map, 0);
    out.text += u'\n';
    return out.text.toUtf8();
}

// ---------------------------------------------------------------------------------------
// Files

/// Writes `bytes` to `path`, creating its folders; a failure ends the test.
inline QString writeBytes(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("mlrunswriter: cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

inline void appendBytes(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        qFatal("mlrunswriter: cannot append to %s", qPrintable(path));
    file.write(bytes);
}

inline void writeYaml(const QString &path, const QVariantMap &map)
{
    writeBytes(path, safeDump(map));
}

/// MLflow's path_to_local_file_uri: "file:///abs/path" with unsafe characters %-encoded.
inline QString fileUri(const QString &path)
{
    return QString::fromUtf8(QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()).toEncoded());
}

/// Key/value files as MLflow writes params and tags: one file per key (a key with '/' is a
/// sub-folder), the value as the whole content, no newline added.
inline void writeKeyValues(const QString &folder, const QList<QPair<QString, QString>> &values)
{
    QDir().mkpath(folder);
    for (const auto &value : values)
        writeBytes(folder + u'/' + value.first, value.second.toUtf8());
}

// ---------------------------------------------------------------------------------------
// Experiments

struct ExperimentSpec
{
    QString id;
    QString name;
    QString lifecycle = QStringLiteral("active"); ///< "deleted" for one under .trash
    bool trash = false; ///< written under .trash/ as MLflow's delete_experiment moves it
    QString artifactLocation; ///< empty: file://<root>/<id>
    qint64 creationTime = kTime;
    qint64 lastUpdateTime = kTime;
    QList<QPair<QString, QString>> tags; ///< <experiment>/tags/<key>
    QVariantMap metaOverrides; ///< replaces or adds meta.yaml fields (e.g. experiment_id as int)
    QStringList metaRemove; ///< meta.yaml fields left out
};

/// A new store as MLflow's FileStore creates it: `root` with `.trash/` and the experiment
/// "0" named "Default" (`withDefault`), plus `models/` as the registry store creates it.
inline void createStore(const QString &root, bool withDefault = true, bool withModels = true);

/// Writes `<root>/<id>/meta.yaml` (or `.trash/<id>/` when trash) and the experiment's tags;
/// returns the experiment's folder.
inline QString writeExperiment(const QString &root, const ExperimentSpec &spec)
{
    const QString folder = QDir(root).filePath(spec.trash ? QStringLiteral(".trash/") + spec.id : spec.id);
    QVariantMap meta {
        {QStringLiteral("artifact_location"),
         spec.artifactLocation.isEmpty() ? fileUri(QDir(root).filePath(spec.id)) : spec.artifactLocation},
        {QStringLiteral("creation_time"), spec.creationTime},
        {QStringLiteral("experiment_id"), spec.id},
        {QStringLiteral("last_update_time"), spec.lastUpdateTime},
        {QStringLiteral("lifecycle_stage"), spec.lifecycle},
        {QStringLiteral("name"), spec.name},
    };
    for (auto it = spec.metaOverrides.begin(); it != spec.metaOverrides.end(); ++it)
        meta.insert(it.key(), it.value());
    for (const QString &key : spec.metaRemove)
        meta.remove(key);
    writeYaml(folder + QStringLiteral("/meta.yaml"), meta);
    if (!spec.tags.isEmpty())
        writeKeyValues(folder + QStringLiteral("/tags"), spec.tags);
    return folder;
}

inline QString writeExperiment(const QString &root, const QString &id, const QString &name,
                               const QString &lifecycle = QStringLiteral("active"), bool trash = false)
{
    ExperimentSpec spec;
    spec.id = id;
    spec.name = name;
    spec.lifecycle = lifecycle;
    spec.trash = trash;
    return writeExperiment(root, spec);
}

inline void createStore(const QString &root, bool withDefault, bool withModels)
{
    QDir().mkpath(root + QStringLiteral("/.trash"));
    if (withModels)
        QDir().mkpath(root + QStringLiteral("/models"));
    if (withDefault)
        writeExperiment(root, QStringLiteral("0"), QStringLiteral("Default"));
}

/// The folder of experiment `id`: `<root>/<id>`, or `.trash/<id>` when only that exists.
inline QString experimentFolder(const QString &root, const QString &id)
{
    const QString active = QDir(root).filePath(id);
    const QString trashed = QDir(root).filePath(QStringLiteral(".trash/") + id);
    return !QFileInfo::exists(active) && QFileInfo::exists(trashed) ? trashed : active;
}

// ---------------------------------------------------------------------------------------
// Runs

/// The file store's integer status (RunStatus proto).
inline int statusNumber(const QString &status)
{
    const QStringList names {QStringLiteral("RUNNING"), QStringLiteral("SCHEDULED"), QStringLiteral("FINISHED"),
                             QStringLiteral("FAILED"), QStringLiteral("KILLED")};
    return int(names.indexOf(status)) + 1;
}

struct RunSpec
{
    QString id; ///< run_id and run_uuid and the folder name (32 hex digits in MLflow)
    QString name; ///< run_name; also tag mlflow.runName unless runNameTag is false
    QString status = QStringLiteral("FINISHED"); ///< written as its number (FINISHED → 3)
    qint64 start = kTime;
    qint64 end = kTime + 60'000; ///< kNoEnd: end_time: null
    QString user = QStringLiteral("alice");
    QList<QPair<QString, QString>> params; ///< keys with '/' become sub-folders
    QList<QPair<QString, QString>> tags;
    /// key → raw lines without the newline, e.g. "1700000000000 0.5 0", "1700000000000 nan 1",
    /// or legacy "1700000000000 0.5"; each written followed by '\n'.
    QMap<QString, QStringList> metricLines;
    QMap<QString, QByteArray> artifacts; ///< relative path → content, under <run>/artifacts/
    QString lifecycle = QStringLiteral("active"); ///< "deleted": also writes deleted_time
    QString artifactUri; ///< empty: file://<experiment folder>/<id>/artifacts
    bool runNameTag = true; ///< add tag mlflow.runName = name, as MLflow's create_run does
    QVariantMap metaOverrides; ///< replaces or adds meta.yaml fields (status as a name, ints...)
    QStringList metaRemove; ///< meta.yaml fields left out (run_name, lifecycle_stage...)
};

/// One metric line as MLflow appends it ("<timestamp> <value> <step>"; `value` as Python
/// printed it: "0.5", "1.0", "nan", "inf", "-inf", "1e-05").
inline QString metricLine(qint64 timestamp, const QString &value, qint64 step)
{
    return QStringLiteral("%1 %2 %3").arg(timestamp).arg(value).arg(step);
}

/// Writes a run of experiment `experimentId` (its folder must exist, active or in .trash) as
/// MLflow's FileStore leaves it after the run ended: meta.yaml, params/, tags/, metrics/ and
/// artifacts/. Returns the run's folder.
inline QString writeRun(const QString &root, const QString &experimentId, const RunSpec &spec)
{
    const QString folder = experimentFolder(root, experimentId) + u'/' + spec.id;
    QVariantMap meta {
        {QStringLiteral("artifact_uri"),
         spec.artifactUri.isEmpty()
             ? fileUri(QDir(root).filePath(experimentId + u'/' + spec.id + QStringLiteral("/artifacts")))
             : spec.artifactUri},
        {QStringLiteral("end_time"), spec.end == kNoEnd ? QVariant() : QVariant(spec.end)},
        {QStringLiteral("entry_point_name"), QString()},
        {QStringLiteral("experiment_id"), experimentId},
        {QStringLiteral("lifecycle_stage"), spec.lifecycle},
        {QStringLiteral("run_id"), spec.id},
        {QStringLiteral("run_name"), spec.name},
        {QStringLiteral("run_uuid"), spec.id},
        {QStringLiteral("source_name"), QString()},
        {QStringLiteral("source_type"), 4},
        {QStringLiteral("source_version"), QString()},
        {QStringLiteral("start_time"), spec.start},
        {QStringLiteral("status"), statusNumber(spec.status)},
        {QStringLiteral("tags"), QVariantList()},
        {QStringLiteral("user_id"), spec.user},
    };
    if (spec.lifecycle == QLatin1String("deleted"))
        meta.insert(QStringLiteral("deleted_time"), spec.end == kNoEnd ? spec.start : spec.end);
    for (auto it = spec.metaOverrides.begin(); it != spec.metaOverrides.end(); ++it)
        meta.insert(it.key(), it.value());
    for (const QString &key : spec.metaRemove)
        meta.remove(key);
    writeYaml(folder + QStringLiteral("/meta.yaml"), meta);

    writeKeyValues(folder + QStringLiteral("/params"), spec.params);
    QList<QPair<QString, QString>> tags = spec.tags;
    const bool hasNameTag = std::any_of(tags.begin(), tags.end(), [](const QPair<QString, QString> &tag) {
        return tag.first == QLatin1String("mlflow.runName");
    });
    if (spec.runNameTag && !hasNameTag && !spec.name.isEmpty())
        tags.append({QStringLiteral("mlflow.runName"), spec.name});
    writeKeyValues(folder + QStringLiteral("/tags"), tags);
    QDir().mkpath(folder + QStringLiteral("/metrics"));
    for (auto it = spec.metricLines.begin(); it != spec.metricLines.end(); ++it) {
        QByteArray bytes;
        for (const QString &line : it.value())
            bytes += line.toUtf8() + '\n';
        writeBytes(folder + QStringLiteral("/metrics/") + it.key(), bytes);
    }
    QDir().mkpath(folder + QStringLiteral("/artifacts"));
    for (auto it = spec.artifacts.begin(); it != spec.artifacts.end(); ++it)
        writeBytes(folder + QStringLiteral("/artifacts/") + it.key(), it.value());
    return folder;
}

/// Appends lines to a run's metric file, as MLflow's log_metric does.
inline void appendMetricLines(const QString &runFolder, const QString &key, const QStringList &lines)
{
    QByteArray bytes;
    for (const QString &line : lines)
        bytes += line.toUtf8() + '\n';
    appendBytes(runFolder + QStringLiteral("/metrics/") + key, bytes);
}

// ---------------------------------------------------------------------------------------
// Model registry (models/<name>/...)

struct ModelSpec
{
    QString name;
    QString description; ///< empty: description: null
    qint64 creationTime = kTime;
    qint64 lastUpdatedTime = kTime;
    QList<QPair<QString, QString>> tags; ///< models/<name>/tags/<key>
};

inline QString modelFolder(const QString &root, const QString &name)
{
    return QDir(root).filePath(QStringLiteral("models/") + name);
}

/// models/<name>/meta.yaml (aliases: {}, creation_timestamp, description,
/// last_updated_timestamp, name) and its tags; returns the model's folder.
inline QString writeModel(const QString &root, const ModelSpec &spec)
{
    const QString folder = modelFolder(root, spec.name);
    writeYaml(folder + QStringLiteral("/meta.yaml"),
              {{QStringLiteral("aliases"), QVariantMap()},
               {QStringLiteral("creation_timestamp"), spec.creationTime},
               {QStringLiteral("description"), spec.description.isEmpty() ? QVariant() : QVariant(spec.description)},
               {QStringLiteral("last_updated_timestamp"), spec.lastUpdatedTime},
               {QStringLiteral("name"), spec.name}});
    if (!spec.tags.isEmpty())
        writeKeyValues(folder + QStringLiteral("/tags"), spec.tags);
    return folder;
}

inline QString writeModel(const QString &root, const QString &name, const QString &description = {},
                          const QList<QPair<QString, QString>> &tags = {})
{
    return writeModel(root, ModelSpec {name, description, kTime, kTime, tags});
}

struct ModelVersionSpec
{
    QString model;
    int version = 1;
    QString runId; ///< empty: run_id: null
    QString source; ///< "runs:/<id>/model" or a path/URI
    QString stage = QStringLiteral("None"); ///< "None", "Staging", "Production", "Archived", "Deleted_Internal"
    QString status = QStringLiteral("READY");
    QString description; ///< empty: null
    QString userId; ///< empty: null
    QString storageLocation; ///< empty: the source
    qint64 creationTime = kTime;
    qint64 lastUpdatedTime = kTime;
    QList<QPair<QString, QString>> tags; ///< version-<n>/tags/<key>
};

/// models/<name>/version-<n>/meta.yaml as create_model_version writes it, and its tags;
/// returns the version's folder.
inline QString writeModelVersion(const QString &root, const ModelVersionSpec &spec)
{
    const QString folder = modelFolder(root, spec.model) + QStringLiteral("/version-%1").arg(spec.version);
    const auto orNull = [](const QString &text) { return text.isEmpty() ? QVariant() : QVariant(text); };
    writeYaml(
        folder + QStringLiteral("/meta.yaml"),
        {{QStringLiteral("aliases"), QVariantList()},
         {QStringLiteral("creation_timestamp"), spec.creationTime},
         {QStringLiteral("current_stage"), spec.stage},
         {QStringLiteral("description"), orNull(spec.description)},
         {QStringLiteral("last_updated_timestamp"), spec.lastUpdatedTime},
         {QStringLiteral("name"), spec.model},
         {QStringLiteral("run_id"), orNull(spec.runId)},
         {QStringLiteral("run_link"), QVariant()},
         {QStringLiteral("source"), spec.source},
         {QStringLiteral("status"), spec.status},
         {QStringLiteral("status_message"), QVariant()},
         {QStringLiteral("storage_location"), spec.storageLocation.isEmpty() ? spec.source : spec.storageLocation},
         {QStringLiteral("user_id"), orNull(spec.userId)},
         {QStringLiteral("version"), spec.version}});
    if (!spec.tags.isEmpty())
        writeKeyValues(folder + QStringLiteral("/tags"), spec.tags);
    return folder;
}

inline QString writeModelVersion(const QString &root, const QString &name, int version, const QString &runId,
                                 const QString &source, const QString &stage = QStringLiteral("None"),
                                 const QList<QPair<QString, QString>> &tags = {})
{
    ModelVersionSpec spec;
    spec.model = name;
    spec.version = version;
    spec.runId = runId;
    spec.source = source;
    spec.stage = stage;
    spec.tags = tags;
    return writeModelVersion(root, spec);
}

/// models/<name>/aliases/<alias>, holding the version number (no newline).
inline void writeAlias(const QString &root, const QString &name, const QString &alias, int version)
{
    writeBytes(modelFolder(root, name) + QStringLiteral("/aliases/") + alias, QByteArray::number(version));
}

// ---------------------------------------------------------------------------------------
// Damage, for the bad-input tests

/// YAML that yaml-cpp and PyYAML both refuse: a flow sequence opened on line 2 and never
/// closed (yaml-cpp: "line 3, column 14: end of sequence flow not found").
inline QByteArray malformedYaml()
{
    return "artifact_location: file:///tmp/x\nname: [unclosed\nexperiment_id: '1'\n";
}

/// Replaces `<folder>/meta.yaml` with `bytes` (default: malformedYaml()).
inline void corruptMeta(const QString &folder, const QByteArray &bytes = malformedYaml())
{
    writeBytes(folder + QStringLiteral("/meta.yaml"), bytes);
}

/// Removes `<folder>/meta.yaml` (a run folder left without its metadata).
inline void removeMeta(const QString &folder)
{
    QFile::remove(folder + QStringLiteral("/meta.yaml"));
}

/// Removes a whole folder (a run that a model version or parent tag still names).
inline void removeFolder(const QString &folder)
{
    QDir(folder).removeRecursively();
}

} // namespace kiln::test::mlruns
