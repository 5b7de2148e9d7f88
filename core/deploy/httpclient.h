#pragma once

#include "tasks/feedback.h"
#include "util/expected.h"

#include <QByteArray>
#include <QIODevice>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace kiln {

/// A blocking HTTP client for worker threads (targets, kilnctl): QNetworkAccessManager on a
/// private event loop in the calling thread. Never call it on the GUI thread.
struct HttpResponse
{
    int status = 0; ///< 0: no HTTP answer (see error)
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QString error; ///< transport error ("Connection refused"); empty when an HTTP status came back

    QByteArray header(const QByteArray &name) const; ///< case-insensitive; empty when absent
    bool ok() const { return status >= 200 && status < 300; }
};

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body; ///< used when `upload` is null
    QIODevice *upload = nullptr; ///< streamed body (a bundle file); progress is reported from it
    int timeoutMs = 30000; ///< for the whole exchange without progress
};

/// Sends `request` and waits for the whole answer. `feedback` (may be null) gets upload
/// progress and is polled for cancel (an aborted request returns the error "cancelled").
/// A change (PUT, POST, DELETE) is cancelled only while its body is still being sent: once
/// the server has it whole, the answer is awaited (up to the timeout), so the caller learns
/// what the server did.
HttpResponse sendHttp(const HttpRequest &request, Feedback *feedback = nullptr);

} // namespace kiln
