// The "oci" target: pushes a bundle to an OCI registry (distribution spec v2 API) as an
// artifact. Blobs go first (HEAD, then POST an upload session and PUT the bytes with
// ?digest=), then the manifest under `v<version>` and `current`: until `current` is moved the
// registry answers with what it held before, so a failed push changes nothing a client sees.
// Rollback moves `current` to the manifest recorded in the current one's annotations.
// Undeploy deletes the manifest `current` points at, by digest: the registry drops every tag on
// it (its `v<version>` tag too); the blobs stay until the registry's garbage collection, and
// the other versions' manifests stay.
#include "ocitarget.h"

#include "deploy/httpclient.h"
#include "registry/bundle.h"
#include "targetsupport.h"
#include "util/sha256.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <optional>

namespace kiln::Internal {

namespace {

constexpr int kRequestTimeoutMs = 30000;

QPair<QByteArray, QByteArray> header(const char *name, const QByteArray &value)
{
    return {QByteArray(name), value};
}

QString annotation(const QJsonObject &annotations, const char *key)
{
    return annotations.value(QLatin1String(key)).toString();
}

/// The option "insecure": a JSON boolean, or "true"/"false" as `kilnctl --option` gives it.
std::optional<bool> insecureOption(const TargetConfig &config)
{
    const QJsonValue value = config.options.value(QLatin1String("insecure"));
    if (value.isUndefined() || value.isNull())
        return false;
    if (value.isBool())
        return value.toBool();
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1") || text == QLatin1String("yes"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0") || text == QLatin1String("no") || text.isEmpty())
        return false;
    return std::nullopt;
}

struct OciLocation
{
    QUrl registry; ///< scheme, host and port only
    QString repository; ///< "kiln/churn"

    QString display() const { return registry.authority() + QLatin1Char('/') + repository; }
};

Expected<OciLocation> parseLocation(const TargetConfig &config)
{
    const QString text = config.location.trimmed();
    const QUrl url(text, QUrl::StrictMode);
    const QString shape = QStringLiteral("location: '%1' is not http(s)://registry[:port]/repository").arg(text);
    if (!isHttpUrl(url))
        return Error {shape};
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return Error {shape + QStringLiteral(" (no user, query or fragment; credentials go in the secret)")};
    QString repository = url.path();
    while (repository.startsWith(QLatin1Char('/')))
        repository.remove(0, 1);
    while (repository.endsWith(QLatin1Char('/')))
        repository.chop(1);
    // The distribution spec's repository name grammar.
    static const QRegularExpression name(
        QStringLiteral("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$"));
    if (repository.isEmpty())
        return Error {shape + QStringLiteral(": it names no repository")};
    if (!name.match(repository).hasMatch())
        return Error {QStringLiteral("location: '%1' is not a valid repository name (lowercase letters, digits, "
                                     "and . _ - between them, parts separated by /)")
                          .arg(repository)};
    const std::optional<bool> insecure = insecureOption(config);
    if (!insecure)
        return Error {QStringLiteral("insecure: expected true or false")};
    if (url.scheme() == QLatin1String("http") && !*insecure)
        return Error {QStringLiteral("location: '%1' is plain http; set the option insecure to allow it").arg(text)};
    OciLocation location;
    location.registry.setScheme(url.scheme());
    location.registry.setHost(url.host());
    location.registry.setPort(url.port());
    location.repository = repository;
    return location;
}

QString digestOf(const QByteArray &bytes)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hexHash(bytes));
}

/// A manifest as the registry holds it: its bytes, digest and annotations.
struct StoredManifest
{
    QByteArray bytes;
    QByteArray mediaType;
    QString digest;
    QJsonObject annotations;
};

class OciTarget final : public TargetBase
{
public:
    OciTarget(TargetConfig config, QByteArray secret)
        : TargetBase(std::move(config))
        , m_secret(std::move(secret))
    { }

    Status push(const PushRequest &request, Feedback &feedback) override;
    Expected<TargetStatus> status(Feedback &feedback) override;
    Status rollback(Feedback &feedback) override;
    Status undeploy(Feedback &feedback) override;

private:
    /// The error of an exchange that did not give the expected answer: no answer, 5xx and
    /// 429 are transient, other statuses permanent.
    Error httpFail(const QString &what, const HttpResponse &response);
    Status resolveLocation();
    QUrl apiUrl(const QString &path) const;
    /// sendHttp with the credentials; a Bearer challenge (401 with WWW-Authenticate: Bearer
    /// realm=...) is answered once by fetching a token from the realm.
    HttpResponse send(HttpRequest request, Feedback *feedback = nullptr);
    Status fetchToken(const QByteArray &challenge, Feedback *feedback);

    /// `reference` (a tag or digest); null (no error) when the registry has none.
    Expected<std::optional<StoredManifest>> getManifest(const QString &reference, Feedback &feedback);
    /// The manifest tagged `current`; null when nothing is deployed.
    Expected<std::optional<StoredManifest>> currentManifest(Feedback &feedback)
    {
        return getManifest(QString::fromLatin1(oci::kCurrentTag), feedback);
    }
    Status putManifest(const QString &reference, const QByteArray &bytes, const QByteArray &mediaType,
                       Feedback &feedback);
    /// Uploads a blob unless the registry has it: from `bytes`, or from `file` when set.
    Status uploadBlob(const QString &digest, const QByteArray &bytes, const QString &file, Feedback &feedback);

    QByteArray m_secret;
    OciLocation m_location;
    QByteArray m_bearer; ///< a token fetched from the registry's realm, for this object's life
};

Error OciTarget::httpFail(const QString &what, const HttpResponse &response)
{
    if (response.status == 0)
        return fail(
            QStringLiteral("%1: %2 did not answer: %3").arg(what, m_location.registry.authority(), response.error),
            response.error == QLatin1String("cancelled") ? FailureKind::Permanent : FailureKind::Transient);
    QString reason;
    const QJsonArray errors = QJsonDocument::fromJson(response.body).object().value(QLatin1String("errors")).toArray();
    for (const QJsonValue error : errors) {
        const QJsonObject object = error.toObject();
        if (!reason.isEmpty())
            reason += QStringLiteral("; ");
        reason += object.value(QLatin1String("code")).toString() + QStringLiteral(": ")
            + object.value(QLatin1String("message")).toString();
    }
    if (response.status == 401)
        reason = QStringLiteral("authentication refused")
            + (reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
    else if (response.status == 403)
        reason = QStringLiteral("not allowed") + (reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
    else if (reason.isEmpty())
        reason = QString::fromUtf8(response.body.left(200)).trimmed();
    const bool transient = response.status >= 500 || response.status == 429 || response.status == 408;
    return fail(QStringLiteral("%1: HTTP %2%3")
                    .arg(what)
                    .arg(response.status)
                    .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason),
                transient ? FailureKind::Transient : FailureKind::Permanent);
}

Status OciTarget::resolveLocation()
{
    auto location = parseLocation(m_config);
    if (!location)
        return fail(location.errorMessage());
    m_location = *location;
    return Status::success();
}

QUrl OciTarget::apiUrl(const QString &path) const
{
    QUrl url = m_location.registry;
    url.setPath(QStringLiteral("/v2/") + m_location.repository + path);
    return url;
}

HttpResponse OciTarget::send(HttpRequest request, Feedback *feedback)
{
    const QList<QPair<QByteArray, QByteArray>> plainHeaders = request.headers;
    const auto authorize = [&] {
        request.headers = plainHeaders;
        if (!m_bearer.isEmpty())
            request.headers.append(header("Authorization", "Bearer " + m_bearer));
        else if (m_secret.contains(':'))
            request.headers.append(header("Authorization", "Basic " + m_secret.toBase64()));
        else if (!m_secret.isEmpty())
            request.headers.append(header("Authorization", "Bearer " + m_secret));
    };
    authorize();
    HttpResponse response = sendHttp(request, feedback);
    const QByteArray challenge = response.header("WWW-Authenticate");
    if (response.status != 401 || !challenge.trimmed().startsWith("Bearer ") || !m_bearer.isEmpty())
        return response;
    if (request.upload && !request.upload->seek(0))
        return response;
    if (!fetchToken(challenge, feedback))
        return response;
    authorize();
    return sendHttp(request, feedback);
}

Status OciTarget::fetchToken(const QByteArray &challenge, Feedback *feedback)
{
    // Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"
    QMap<QString, QString> parameters;
    static const QRegularExpression pair(QStringLiteral("(\\w+)=\"([^\"]*)\""));
    for (auto match = pair.globalMatch(QString::fromLatin1(challenge)); match.hasNext();) {
        const QRegularExpressionMatch next = match.next();
        parameters.insert(next.captured(1).toLower(), next.captured(2));
    }
    QUrl realm(parameters.value(QStringLiteral("realm")));
    if (!realm.isValid() || realm.host().isEmpty())
        return Error {QStringLiteral("no token realm")};
    QUrlQuery query(realm);
    if (parameters.contains(QStringLiteral("service")))
        query.addQueryItem(QStringLiteral("service"), parameters.value(QStringLiteral("service")));
    query.addQueryItem(QStringLiteral("scope"),
                       QStringLiteral("repository:%1:pull,push,delete").arg(m_location.repository));
    realm.setQuery(query);
    HttpRequest request;
    request.url = realm;
    request.timeoutMs = kRequestTimeoutMs;
    if (m_secret.contains(':'))
        request.headers.append(header("Authorization", "Basic " + m_secret.toBase64()));
    const HttpResponse response = sendHttp(request, feedback);
    const QJsonObject token = QJsonDocument::fromJson(response.body).object();
    QString value = token.value(QLatin1String("token")).toString();
    if (value.isEmpty())
        value = token.value(QLatin1String("access_token")).toString();
    if (!response.ok() || value.isEmpty())
        return Error {QStringLiteral("no token")};
    m_bearer = value.toUtf8();
    return Status::success();
}

Expected<std::optional<StoredManifest>> OciTarget::getManifest(const QString &reference, Feedback &feedback)
{
    HttpRequest request;
    request.url = apiUrl(QStringLiteral("/manifests/") + reference);
    request.timeoutMs = kRequestTimeoutMs;
    request.headers.append(header(
        "Accept", QByteArray(oci::kManifestMediaType) + ", application/vnd.docker.distribution.manifest.v2+json"));
    const HttpResponse response = send(request, &feedback);
    if (response.status == 404)
        return std::optional<StoredManifest>();
    if (!response.ok())
        return httpFail(QStringLiteral("cannot read the manifest '%1' of %2").arg(reference, m_location.display()),
                        response);
    StoredManifest manifest;
    manifest.bytes = response.body;
    manifest.mediaType = response.header("Content-Type");
    manifest.digest = QString::fromLatin1(response.header("Docker-Content-Digest"));
    if (manifest.digest.isEmpty())
        manifest.digest = digestOf(response.body);
    QJsonParseError parseError {};
    const QJsonDocument document = QJsonDocument::fromJson(response.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return fail(QStringLiteral("the manifest '%1' of %2 is not JSON").arg(reference, m_location.display()));
    manifest.annotations = document.object().value(QLatin1String("annotations")).toObject();
    return std::optional<StoredManifest>(std::move(manifest));
}

Status OciTarget::putManifest(const QString &reference, const QByteArray &bytes, const QByteArray &mediaType,
                              Feedback &feedback)
{
    HttpRequest request;
    request.method = "PUT";
    request.url = apiUrl(QStringLiteral("/manifests/") + reference);
    request.timeoutMs = kRequestTimeoutMs;
    request.headers.append(header("Content-Type", mediaType));
    request.body = bytes;
    const HttpResponse response = send(request, &feedback);
    if (!response.ok())
        return httpFail(QStringLiteral("cannot tag '%1' in %2").arg(reference, m_location.display()), response);
    const QByteArray stored = response.header("Docker-Content-Digest");
    if (!stored.isEmpty() && QString::fromLatin1(stored) != digestOf(bytes))
        return fail(QStringLiteral("%1 stored the manifest '%2' as %3, expected %4")
                        .arg(m_location.display(), reference, QString::fromLatin1(stored), digestOf(bytes)));
    return Status::success();
}

Status OciTarget::uploadBlob(const QString &digest, const QByteArray &bytes, const QString &file, Feedback &feedback)
{
    // Whether the registry has it: a GET of its first byte rather than a HEAD, whose answer
    // carries the blob's Content-Length without a body (QNetworkAccessManager waits for that
    // body on a custom HEAD). Registries that ignore Range send the blob: slower, still right.
    HttpRequest probe;
    probe.url = apiUrl(QStringLiteral("/blobs/") + digest);
    probe.timeoutMs = kRequestTimeoutMs;
    probe.headers.append(header("Range", "bytes=0-0"));
    const HttpResponse present = send(probe, &feedback);
    if (present.ok())
        return Status::success();
    if (present.status != 404)
        return httpFail(QStringLiteral("cannot look for the blob %1 in %2").arg(digest, m_location.display()), present);

    HttpRequest start;
    start.method = "POST";
    start.url = apiUrl(QStringLiteral("/blobs/uploads/"));
    start.timeoutMs = kRequestTimeoutMs;
    start.headers.append(header("Content-Length", "0"));
    const HttpResponse session = send(start, &feedback);
    const QByteArray location = session.header("Location");
    if (session.status != 202)
        return httpFail(QStringLiteral("cannot start uploading to %1").arg(m_location.display()), session);
    if (location.isEmpty())
        return fail(QStringLiteral("%1 started an upload without a Location").arg(m_location.display()));
    // The location may be relative and carries the registry's own query (upload state):
    // append the digest to it as it is.
    QByteArray target = apiUrl(QString()).resolved(QUrl::fromEncoded(location)).toEncoded();
    target += (target.contains('?') ? "&digest=" : "?digest=") + QUrl::toPercentEncoding(digest);

    HttpRequest put;
    put.method = "PUT";
    put.url = QUrl::fromEncoded(target);
    put.timeoutMs = kRequestTimeoutMs;
    put.headers.append(header("Content-Type", "application/octet-stream"));
    QFile source(file);
    if (!file.isEmpty()) {
        if (!source.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the bundle %1: %2").arg(file, source.errorString()));
        put.upload = &source;
        put.headers.append(header("Content-Length", QByteArray::number(source.size())));
    } else {
        put.body = bytes;
        put.headers.append(header("Content-Length", QByteArray::number(bytes.size())));
    }
    const HttpResponse uploaded = send(put, &feedback);
    if (uploaded.status != 201 && !uploaded.ok())
        return httpFail(QStringLiteral("cannot upload the blob %1 to %2").arg(digest, m_location.display()), uploaded);
    return Status::success();
}

Status OciTarget::push(const PushRequest &request, Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status resolved = resolveLocation(); !resolved)
        return resolved;
    feedback.setStatusText(QStringLiteral("reading the bundle %1").arg(request.bundlePath));
    auto contents = readBundle(request.bundlePath);
    if (!contents)
        return fail(contents.errorMessage());
    const QByteArray config = QJsonDocument(contents->manifest).toJson(QJsonDocument::Compact);
    const QString configDigest = digestOf(config);
    QString bundleSha = request.sha256;
    if (bundleSha.isEmpty()) {
        Expected<QString> hashed = fileSha256(request.bundlePath, &feedback);
        if (!hashed)
            return fail(hashed.errorMessage());
        bundleSha = *hashed;
    }
    const QString layerDigest = QStringLiteral("sha256:") + bundleSha;
    const qint64 layerSize = QFileInfo(request.bundlePath).size();
    feedback.setProgress(0.05);
    if (feedback.isCanceled())
        return fail(QStringLiteral("cancelled"));

    // What `current` holds now becomes this version's "previous" (a re-push of the same bundle
    // keeps the previous it had).
    feedback.setStatusText(
        QStringLiteral("pushing %1@%2 to %3").arg(request.modelName).arg(request.version).arg(m_location.display()));
    auto current = currentManifest(feedback);
    if (!current)
        return current.error();
    QJsonObject annotations {
        {QLatin1String(oci::kTitleAnnotation), QStringLiteral("%1@%2").arg(request.modelName).arg(request.version)},
        {QLatin1String(oci::kCreatedAnnotation), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {QLatin1String(oci::kModelNameAnnotation), request.modelName},
        {QLatin1String(oci::kModelVersionAnnotation), QString::number(request.version)},
        {QLatin1String(oci::kBundleShaAnnotation), bundleSha}};
    if (current->has_value()) {
        const StoredManifest &before = **current;
        const bool samePush = annotation(before.annotations, oci::kBundleShaAnnotation) == bundleSha;
        if (samePush) {
            for (const char *key : {oci::kPreviousNameAnnotation, oci::kPreviousVersionAnnotation,
                                    oci::kPreviousShaAnnotation, oci::kPreviousManifestAnnotation}) {
                if (before.annotations.contains(QLatin1String(key)))
                    annotations.insert(QLatin1String(key), before.annotations.value(QLatin1String(key)));
            }
        } else if (!annotation(before.annotations, oci::kModelNameAnnotation).isEmpty()) {
            annotations.insert(QLatin1String(oci::kPreviousNameAnnotation),
                               annotation(before.annotations, oci::kModelNameAnnotation));
            annotations.insert(QLatin1String(oci::kPreviousVersionAnnotation),
                               annotation(before.annotations, oci::kModelVersionAnnotation));
            annotations.insert(QLatin1String(oci::kPreviousShaAnnotation),
                               annotation(before.annotations, oci::kBundleShaAnnotation));
            annotations.insert(QLatin1String(oci::kPreviousManifestAnnotation), before.digest);
        }
    }

    if (Status uploaded = uploadBlob(configDigest, config, {}, feedback); !uploaded)
        return uploaded;
    feedback.setProgress(0.1);
    if (Status uploaded = uploadBlob(layerDigest, {}, request.bundlePath, feedback); !uploaded)
        return uploaded;
    feedback.setProgress(0.9);
    if (feedback.isCanceled())
        return fail(QStringLiteral("cancelled"));

    const QJsonObject manifest {
        {QStringLiteral("schemaVersion"), 2},
        {QStringLiteral("mediaType"), QLatin1String(oci::kManifestMediaType)},
        {QStringLiteral("artifactType"), QLatin1String(oci::kArtifactType)},
        {QStringLiteral("config"),
         QJsonObject {{QStringLiteral("mediaType"), QLatin1String(oci::kConfigMediaType)},
                      {QStringLiteral("digest"), configDigest},
                      {QStringLiteral("size"), config.size()}}},
        {QStringLiteral("layers"),
         QJsonArray {QJsonObject {{QStringLiteral("mediaType"), QLatin1String(oci::kLayerMediaType)},
                                  {QStringLiteral("digest"), layerDigest},
                                  {QStringLiteral("size"), layerSize},
                                  {QStringLiteral("annotations"),
                                   QJsonObject {{QLatin1String(oci::kTitleAnnotation),
                                                 QStringLiteral("%1-v%2%3")
                                                     .arg(request.modelName)
                                                     .arg(request.version)
                                                     .arg(QLatin1String(bundle::kSuffix))}}}}}},
        {QStringLiteral("annotations"), annotations}};
    const QByteArray bytes = QJsonDocument(manifest).toJson(QJsonDocument::Compact);
    const QByteArray mediaType(oci::kManifestMediaType);
    // The version tag first: `current` moves last, in one request.
    if (Status tagged = putManifest(QStringLiteral("v%1").arg(request.version), bytes, mediaType, feedback); !tagged)
        return tagged;
    if (Status tagged = putManifest(QString::fromLatin1(oci::kCurrentTag), bytes, mediaType, feedback); !tagged)
        return tagged;
    feedback.setProgress(1.0);
    return Status::success();
}

Expected<TargetStatus> OciTarget::status(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status resolved = resolveLocation(); !resolved)
        return resolved.error();
    TargetStatus result;
    auto current = currentManifest(feedback);
    if (!current) {
        result.health = QStringLiteral("down");
        result.detail = current.errorMessage();
        return result;
    }
    result.reachable = true;
    if (!current->has_value()) {
        result.health = QStringLiteral("empty");
        return result;
    }
    const QJsonObject &annotations = (*current)->annotations;
    result.health = QStringLiteral("stored");
    result.modelName = annotation(annotations, oci::kModelNameAnnotation);
    result.modelVersion = annotation(annotations, oci::kModelVersionAnnotation).toInt();
    result.sha256 = annotation(annotations, oci::kBundleShaAnnotation);
    result.previousModel = annotation(annotations, oci::kPreviousNameAnnotation);
    result.previousVersion = annotation(annotations, oci::kPreviousVersionAnnotation).toInt();
    if (result.modelName.isEmpty())
        result.detail = QStringLiteral("'current' in %1 is not a Kiln bundle (no %2 annotation)")
                            .arg(m_location.display(), QLatin1String(oci::kModelNameAnnotation));
    return result;
}

Status OciTarget::rollback(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status resolved = resolveLocation(); !resolved)
        return resolved;
    auto current = currentManifest(feedback);
    if (!current)
        return current.error();
    if (!current->has_value())
        return fail(
            QStringLiteral("%1 has no 'current' tag: nothing is deployed to roll back from").arg(m_location.display()));
    const QString previousDigest = annotation((*current)->annotations, oci::kPreviousManifestAnnotation);
    if (previousDigest.isEmpty())
        return fail(QStringLiteral("there is no previous version to roll back to in %1").arg(m_location.display()));
    auto previous = getManifest(previousDigest, feedback);
    if (!previous)
        return previous.error();
    if (!previous->has_value())
        return fail(QStringLiteral("the previous version's manifest %1 is no longer in %2 (deleted?)")
                        .arg(previousDigest, m_location.display()));
    if (feedback.isCanceled())
        return fail(QStringLiteral("cancelled"));
    // The same bytes, so `current` gets the same digest as the previous version's tag.
    const QByteArray mediaType
        = (*previous)->mediaType.isEmpty() ? QByteArray(oci::kManifestMediaType) : (*previous)->mediaType;
    if (Status tagged = putManifest(QString::fromLatin1(oci::kCurrentTag), (*previous)->bytes, mediaType, feedback);
        !tagged)
        return tagged;
    feedback.setProgress(1.0);
    return Status::success();
}

Status OciTarget::undeploy(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status resolved = resolveLocation(); !resolved)
        return resolved;
    auto current = currentManifest(feedback);
    if (!current)
        return current.error();
    if (!current->has_value())
        return Status::success(); // nothing deployed
    HttpRequest request;
    request.method = "DELETE";
    request.url = apiUrl(QStringLiteral("/manifests/") + (*current)->digest);
    request.timeoutMs = kRequestTimeoutMs;
    const HttpResponse response = send(request, &feedback);
    if (response.status == 404)
        return Status::success();
    if (!response.ok()) {
        Error error = httpFail(
            QStringLiteral("cannot delete the manifest %1 from %2").arg((*current)->digest, m_location.display()),
            response);
        if (response.status == 405)
            error.message += QStringLiteral(" (the registry does not allow deletes: enable storage.delete)");
        return error;
    }
    feedback.setProgress(1.0);
    return Status::success();
}

class OciTargetKind final : public TargetKind
{
public:
    QString id() const override { return QStringLiteral("oci"); }
    QString displayName() const override { return QStringLiteral("OCI registry"); }
    QList<TargetField> fields() const override
    {
        TargetField location
            = targetField("location", "Registry and repository", "https://registry.example.com/kiln/churn",
                          "Each push is stored as an OCI artifact tagged v<version> and current.");
        location.required = true;
        TargetField secret
            = targetField("secret", "Credentials", "user:password or a token",
                          "user:password is sent as Basic authentication, anything else as a Bearer token.");
        secret.secret = true;
        return {location,
                targetField("insecure", "Allow plain http", "false",
                            "Set to true for a registry without TLS (a local one)."),
                secret};
    }
    Status validate(const TargetConfig &config) const override
    {
        if (auto location = parseLocation(config); !location)
            return location.error();
        return Status::success();
    }
    std::unique_ptr<DeployTarget> create(const TargetConfig &config, const QByteArray &secret) const override
    {
        return std::make_unique<OciTarget>(config, secret);
    }
};

} // namespace

const TargetKind *ociTargetKind()
{
    static const OciTargetKind kind;
    return &kind;
}

} // namespace kiln::Internal
