#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QString>
#include <QTcpServer>

#include <functional>
#include <vector>

namespace kiln {

/// HTTP/1.1 responses as kiln-serve writes them: the whole message in one buffer, so that it
/// leaves in one write.
namespace http {

/// "OK", "Bad Request", ...
QByteArrayView reasonPhrase(int status);
/// The error_code of kiln-serve's error JSON for a status: "BAD_REQUEST", "UNAUTHORIZED", ...
QByteArrayView errorCode(int status);
/// {"error_code": errorCode(status), "message": message}, compact.
QByteArray errorBody(int status, const QString &message);
/// Status line, Content-Type, Content-Length, `extraHeaders` (each "Name: value\r\n"),
/// "Connection: close" when `close`, then the body.
QByteArray response(int status, QByteArrayView contentType, QByteArrayView body, QByteArrayView extraHeaders = {},
                    bool close = false);
/// The token of an Authorization header "Bearer TOKEN"; empty for any other scheme.
QByteArray bearerToken(const QByteArray &authorization);
/// Whether `given` is `expected` (never an empty one), in a time that does not depend on where
/// the first difference is.
bool sameToken(const QByteArray &given, const QByteArray &expected);

} // namespace http

/// The listening sockets of kiln-serve's server threads, all bound to one port with
/// SO_REUSEPORT (the kernel spreads connections over them). A probe bound without SO_REUSEPORT
/// comes first: a port in use is an error, where a second agent of the same user on the same
/// port would otherwise share it silently. Not copyable; closes what it was not asked for.
class ListeningSockets final
{
public:
    ListeningSockets() = default;
    ListeningSockets(const ListeningSockets &) = delete;
    ListeningSockets &operator=(const ListeningSockets &) = delete;
    ~ListeningSockets();

    /// `count` listening sockets on `host`:`port` (0: a free port, the same for all).
    /// Errors name the address and the reason ("the port is already in use").
    Status open(const QHostAddress &host, quint16 port, int count);
    quint16 port() const { return m_port; }
    std::size_t size() const { return m_fds.size(); }
    /// Hands descriptor `i` over: its new owner closes it.
    int take(std::size_t i);

private:
    std::vector<int> m_fds;
    quint16 m_port = 0;
};

/// What a client may send: refused from the request's head, before anything buffers the body.
struct RequestLimits
{
    qint64 maxBodyBytes = 16 * 1024 * 1024; ///< every request but PUT /bundle
    qint64 maxBundleBytes = 1024LL * 1024 * 1024; ///< PUT /bundle
    qint64 maxHeaderBytes = 64 * 1024; ///< request line and headers together
};

/// Follows the HTTP/1.1 requests on one connection from its bytes alone: the head up to the
/// blank line, then Content-Length body bytes, then the next request (so pipelined requests are
/// followed too). Refuses, from the head alone, a body over its limit (413), a chunked or
/// otherwise transfer-coded body (411), a head over maxHeaderBytes (431) and a malformed
/// request line, header line or Content-Length (400). Once refused it stays refused. A plain
/// value; one per connection, on the connection's thread.
class RequestScanner final
{
public:
    struct Refusal
    {
        int status = 0; ///< 0: nothing refused
        QString message;
        QByteArray path; ///< the refused request's target without its query (empty if unknown)

        explicit operator bool() const { return status != 0; }
    };

    explicit RequestScanner(const RequestLimits &limits);

    /// The next bytes of the connection, in order.
    Refusal feed(QByteArrayView bytes);
    /// Body bytes of the current request still to come: a caller may pass over that many with
    /// skipBody() instead of feeding them.
    qint64 pendingBodyBytes() const { return m_state == State::Body ? m_bodyLeft : 0; }
    void skipBody(qint64 bytes);
    bool refused() const { return m_state == State::Refused; }
    /// Whether a request seen so far asks for the connection to end after its answer: HTTP/1.0
    /// without "Connection: keep-alive" (Qt HttpServer 6.4 does not tell its handlers the
    /// version, so GuardedTcpServer sets the socket property kCloseProperty for them).
    bool closeRequested() const { return m_closeRequested; }

private:
    enum class State { Head, Body, Refused };

    Refusal refuse(int status, const QString &message, const QByteArray &path = {});
    Refusal parseHead(QByteArrayView head);

    RequestLimits m_limits;
    State m_state = State::Head;
    QByteArray m_head;
    qint64 m_bodyLeft = 0;
    bool m_closeRequested = false;
};

/// The listening socket of one kiln-serve server thread: a QTcpServer that watches each new
/// connection with a RequestScanner before Qt HttpServer sees it. Qt HttpServer reads a whole
/// request (head and body) into memory before handing it over, so limits must be enforced
/// underneath it: incomingConnection() connects the scanner to readyRead before the connection
/// is added as pending (which is when Qt HttpServer connects its own handler), so the scanner
/// sees (peeks) each new byte first. On a refusal it stops Qt HttpServer's handler, answers with
/// error JSON and "Connection: close", half-closes once the answer is out and drops what the
/// client still sends for a few seconds, so that the client reads the answer instead of a
/// reset. It also gets Qt HttpServer 6.4 past requests pipelined behind another (which it would
/// leave unread until more bytes arrive), and turns Nagle off. Lives on its server thread.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    /// A socket property, true once an HTTP/1.0 request without keep-alive came on it.
    static constexpr char kCloseProperty[] = "kilnCloseAfterAnswer";

    explicit GuardedTcpServer(const RequestLimits &limits, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    /// Called on this server's thread with each refusal, after the answer is queued.
    void setRefusalHandler(std::function<void(const RequestScanner::Refusal &)> handler);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    RequestLimits m_limits;
    std::function<void(const RequestScanner::Refusal &)> m_onRefusal;
};

} // namespace kiln
