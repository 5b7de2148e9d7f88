// The "agent" target: a kiln-serve agent's admin API over HTTP (core/serving/serveagent.h).
// The agent verifies a pushed bundle before it swaps, so a refused or interrupted upload
// leaves it serving what it served; this side only classifies the outcome for retries.
#include "agenttarget.h"

#include "deploy/httpclient.h"
#include "targetsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace kiln::Internal {

namespace {

constexpr int kPushIdleTimeoutMs = 120000; // the agent verifies and loads before it answers
constexpr int kAdminTimeoutMs = 60000;
constexpr int kStatusTimeoutMs = 10000;

/// The agent's own reason from its JSON error body, or the start of the body.
QString agentMessage(const HttpResponse &response)
{
    const QJsonObject error = QJsonDocument::fromJson(response.body).object();
    QString message = error.value(QLatin1String("message")).toString();
    if (!message.isEmpty())
        return message;
    return QString::fromUtf8(response.body.left(200)).simplified();
}

class AgentTarget final : public TargetBase
{
public:
    AgentTarget(TargetConfig config, QByteArray token)
        : TargetBase(std::move(config))
        , m_token(std::move(token))
    {
        m_base = m_config.location.trimmed();
        while (m_base.endsWith(QLatin1Char('/')))
            m_base.chop(1);
    }

    Status push(const PushRequest &request, Feedback &feedback) override;
    Expected<TargetStatus> status(Feedback &feedback) override;
    Status rollback(Feedback &feedback) override;
    Status undeploy(Feedback &feedback) override;

private:
    HttpRequest request(const QByteArray &method, const char *path, int timeoutMs) const
    {
        HttpRequest r;
        r.method = method;
        r.url = QUrl(m_base + QLatin1String(path));
        r.timeoutMs = timeoutMs;
        if (!m_token.isEmpty())
            r.headers.append({QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + m_token});
        return r;
    }
    /// Success for a 2xx answer, else the error with its kind: no answer, a timeout and 5xx
    /// are transient; 4xx (the token, a refused bundle) and cancel are permanent.
    Status outcome(const HttpResponse &response);
    Status needToken()
    {
        if (!m_token.isEmpty())
            return Status::success();
        return fail(QStringLiteral("no admin token is stored for %1 (add the target again with its token)").arg(m_base),
                    FailureKind::Permanent);
    }

    QByteArray m_token;
    QString m_base;
};

Status AgentTarget::outcome(const HttpResponse &response)
{
    if (response.ok())
        return Status::success();
    if (response.status == 0) {
        if (response.error == QLatin1String("cancelled"))
            return fail(response.error, FailureKind::Permanent);
        return fail(QStringLiteral("cannot reach %1: %2").arg(m_base, response.error), FailureKind::Transient);
    }
    if (response.status == 401 || response.status == 403)
        return fail(QStringLiteral("HTTP %1: wrong token").arg(response.status), FailureKind::Permanent);
    const QString message = agentMessage(response);
    const QString reason = message.isEmpty() ? QStringLiteral("HTTP %1").arg(response.status)
                                             : QStringLiteral("HTTP %1: %2").arg(response.status).arg(message);
    if (response.status >= 500)
        return fail(reason, FailureKind::Transient);
    if (response.status == 404)
        return fail(QStringLiteral("%1 (is %2 a kiln-serve agent?)").arg(reason, m_base), FailureKind::Permanent);
    return fail(reason, FailureKind::Permanent);
}

Status AgentTarget::push(const PushRequest &push, Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status token = needToken(); !token)
        return token;
    QFile file(push.bundlePath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the bundle %1: %2").arg(push.bundlePath, file.errorString()),
                    FailureKind::Permanent);
    feedback.setStatusText(QStringLiteral("uploading %1@%2 to %3").arg(push.modelName).arg(push.version).arg(m_base));
    HttpRequest put = request("PUT", "/bundle", kPushIdleTimeoutMs);
    put.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/gzip")});
    put.upload = &file;
    const HttpResponse response = sendHttp(put, &feedback);
    if (Status done = outcome(response); !done)
        return done;
    // The agent answers with what it now serves: it must be the bundle just sent.
    const QJsonObject version = QJsonDocument::fromJson(response.body).object();
    const QString sha = version.value(QLatin1String("sha256")).toString();
    if (!push.sha256.isEmpty() && !sha.isEmpty() && sha != push.sha256)
        return fail(QStringLiteral("the agent serves a bundle with SHA-256 %1 after the push, expected %2")
                        .arg(sha, push.sha256),
                    FailureKind::Transient);
    feedback.setProgress(1.0);
    return Status::success();
}

Expected<TargetStatus> AgentTarget::status(Feedback &feedback)
{
    TargetStatus result;
    const HttpResponse version = sendHttp(request("GET", "/version", kStatusTimeoutMs), &feedback);
    if (version.status == 0 && version.error == QLatin1String("cancelled"))
        return fail(version.error, FailureKind::Permanent);
    if (version.status == 0) {
        result.health = QStringLiteral("down");
        result.detail = version.error;
        return result;
    }
    result.reachable = true;
    result.metricsUrl = m_base + QStringLiteral("/metrics");
    if (version.status == 401 || version.status == 403) {
        result.health = QStringLiteral("down");
        result.detail = QStringLiteral("HTTP %1: wrong token").arg(version.status);
        return result;
    }
    const QJsonObject json = QJsonDocument::fromJson(version.body).object();
    if (version.status == 503 || (version.ok() && json.value(QLatin1String("name")).toString().isEmpty())) {
        result.health = QStringLiteral("empty");
    } else if (!version.ok()) {
        result.health = QStringLiteral("down");
        result.detail = QStringLiteral("HTTP %1 on /version: %2").arg(version.status).arg(agentMessage(version));
        return result;
    } else {
        result.modelName = json.value(QLatin1String("name")).toString();
        result.modelVersion = json.value(QLatin1String("version")).toInt();
        result.sha256 = json.value(QLatin1String("sha256")).toString();
        const HttpResponse ready = sendHttp(request("GET", "/v2/health/ready", kStatusTimeoutMs), &feedback);
        if (ready.ok()) {
            result.health = QStringLiteral("serving");
        } else {
            result.health = QStringLiteral("down");
            result.detail = ready.status == 0
                ? ready.error
                : QStringLiteral("not ready (HTTP %1): %2").arg(ready.status).arg(agentMessage(ready));
        }
    }
    const QJsonObject previous = json.value(QLatin1String("previous")).toObject();
    result.previousModel = previous.value(QLatin1String("name")).toString();
    result.previousVersion = previous.value(QLatin1String("version")).toInt();
    return result;
}

Status AgentTarget::rollback(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status token = needToken(); !token)
        return token;
    feedback.setStatusText(QStringLiteral("rolling back %1").arg(m_base));
    const HttpResponse response = sendHttp(request("POST", "/rollback", kAdminTimeoutMs), &feedback);
    if (response.status == 409)
        return fail(QStringLiteral("there is no previous version to roll back to (%1)").arg(agentMessage(response)),
                    FailureKind::Permanent);
    if (Status done = outcome(response); !done)
        return done;
    feedback.setProgress(1.0);
    return Status::success();
}

Status AgentTarget::undeploy(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (Status token = needToken(); !token)
        return token;
    feedback.setStatusText(QStringLiteral("unloading the model of %1").arg(m_base));
    if (Status done = outcome(sendHttp(request("DELETE", "/bundle", kAdminTimeoutMs), &feedback)); !done)
        return done;
    feedback.setProgress(1.0);
    return Status::success();
}

class AgentTargetKind final : public TargetKind
{
public:
    QString id() const override { return QStringLiteral("agent"); }
    QString displayName() const override { return QStringLiteral("kiln-serve agent"); }
    QList<TargetField> fields() const override
    {
        TargetField url
            = targetField("location", "Agent URL", "http://host:8080", "The base URL kiln-serve listens on.");
        url.required = true;
        TargetField token = targetField(
            "secret", "Admin token", "",
            "The agent's KILN_SERVE_TOKEN; kept in your keychain or a private file, never in the workspace.");
        token.required = true;
        token.secret = true;
        return {url, token};
    }
    Status validate(const TargetConfig &config) const override
    {
        const QString location = config.location.trimmed();
        if (location.isEmpty())
            return Error {QStringLiteral("location: the agent's URL is required")};
        const QUrl url(location, QUrl::StrictMode);
        if (!isHttpUrl(url))
            return Error {QStringLiteral("location: '%1' is not an http(s) URL").arg(config.location)};
        if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
            return Error {QStringLiteral("location: '%1' has a query, fragment or user name; give the agent's base URL")
                              .arg(config.location)};
        return Status::success();
    }
    std::unique_ptr<DeployTarget> create(const TargetConfig &config, const QByteArray &secret) const override
    {
        return std::make_unique<AgentTarget>(config, secret);
    }
};

} // namespace

const TargetKind *agentTargetKind()
{
    static const AgentTargetKind kind;
    return &kind;
}

} // namespace kiln::Internal
