// sendHttp: one QNetworkAccessManager per call, driven by a local event loop on the calling
// worker thread. Two timers watch it: one polls Feedback for cancel, the other aborts the
// exchange when nothing moved (no upload or download progress) for timeoutMs.
#include "deploy/httpclient.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace kiln {

namespace {

constexpr int kCancelPollMs = 50;

} // namespace

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpResponse sendHttp(const HttpRequest &request, Feedback *feedback)
{
    HttpResponse response;
    if (feedback && feedback->isCanceled()) {
        response.error = QStringLiteral("cancelled");
        return response;
    }
    if (!request.url.isValid() || request.url.host().isEmpty()) {
        response.error = QStringLiteral("'%1' is not a valid URL").arg(request.url.toString());
        return response;
    }

    QNetworkAccessManager manager;
    manager.setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkRequest netRequest(request.url);
    bool hasLength = false;
    for (const auto &[name, value] : request.headers) {
        netRequest.setRawHeader(name, value);
        hasLength = hasLength || name.compare("Content-Length", Qt::CaseInsensitive) == 0;
    }
    // A device with a size is streamed with a Content-Length (the agent refuses chunked bodies).
    if (request.upload && !hasLength && !request.upload->isSequential())
        netRequest.setHeader(QNetworkRequest::ContentLengthHeader, request.upload->size() - request.upload->pos());
    // Our own timer measures inactivity; Qt's would cut off a long but moving upload.
    netRequest.setTransferTimeout(0);

    QNetworkReply *reply = nullptr;
    if (request.method == "HEAD")
        reply = manager.head(netRequest); // a custom HEAD would wait for a body that never comes
    else if (request.upload)
        reply = manager.sendCustomRequest(netRequest, request.method, request.upload);
    else if (!request.body.isEmpty() || request.method != "GET")
        reply = manager.sendCustomRequest(netRequest, request.method, request.body);
    else
        reply = manager.get(netRequest);

    QEventLoop loop;
    bool timedOut = false;
    bool cancelled = false;
    // Once the whole body of a change (PUT, POST, DELETE) is sent, the server decides; an
    // abort then would only lose its answer, so cancel stops waiting only before that point.
    const bool readOnly = request.method == "GET" || request.method == "HEAD";
    const bool hasBody = request.upload || !request.body.isEmpty();
    bool bodySent = false;
    QTimer idle;
    idle.setSingleShot(true);
    QObject::connect(&idle, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QTimer cancelPoll;
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (feedback && feedback->isCanceled() && !reply->isFinished() && (readOnly || (hasBody && !bodySent))) {
            cancelled = true;
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::uploadProgress, &loop, [&](qint64 sent, qint64 total) {
        idle.start(request.timeoutMs);
        bodySent = bodySent || (total > 0 && sent >= total);
        if (feedback && request.upload && total > 0)
            feedback->setProgress(double(sent) / double(total));
    });
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop,
                     [&](qint64, qint64) { idle.start(request.timeoutMs); });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished()) {
        idle.start(request.timeoutMs);
        if (feedback)
            cancelPoll.start(kCancelPollMs);
        loop.exec();
    }
    idle.stop();
    cancelPoll.stop();

    const QVariant statusCode = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (cancelled) {
        response.error = QStringLiteral("cancelled");
    } else if (timedOut) {
        response.error = QStringLiteral("no answer from %1 for %2 s")
                             .arg(request.url.authority())
                             .arg(double(request.timeoutMs) / 1000.0);
    } else if (statusCode.isValid() && statusCode.toInt() > 0) {
        response.status = statusCode.toInt();
        response.body = reply->readAll();
        response.headers = reply->rawHeaderPairs();
    } else {
        response.error = reply->errorString();
        // Qt names the URL in some messages; the callers name the target already.
        const QString prefix = QStringLiteral("Error transferring %1 - ").arg(request.url.toString());
        if (response.error.startsWith(prefix))
            response.error.remove(0, prefix.size());
        if (response.error.isEmpty())
            response.error = QStringLiteral("no answer");
    }
    delete reply;
    return response;
}

} // namespace kiln
