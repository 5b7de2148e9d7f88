// Under Qt HttpServer: the listening sockets of the server threads, HTTP framing followed from
// the raw bytes, limits enforced from a request's head, refusals answered and the connection
// closed gently.
#include "serving/requestguard.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kiln {

namespace http {

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

QByteArrayView errorCode(int status)
{
    switch (status) {
    case 400:
        return "BAD_REQUEST";
    case 401:
        return "UNAUTHORIZED";
    case 403:
        return "FORBIDDEN";
    case 404:
        return "NOT_FOUND";
    case 405:
        return "METHOD_NOT_ALLOWED";
    case 409:
        return "CONFLICT";
    case 411:
        return "LENGTH_REQUIRED";
    case 413:
        return "PAYLOAD_TOO_LARGE";
    case 415:
        return "UNSUPPORTED_MEDIA_TYPE";
    case 422:
        return "BUNDLE_REFUSED";
    case 431:
        return "HEADERS_TOO_LARGE";
    case 503:
        return "NO_MODEL";
    default:
        return "INTERNAL_ERROR";
    }
}

QByteArray errorBody(int status, const QString &message)
{
    const QJsonObject error {{QLatin1String("error_code"), QString::fromLatin1(errorCode(status))},
                             {QLatin1String("message"), message}};
    return QJsonDocument(error).toJson(QJsonDocument::Compact);
}

QByteArray response(int status, QByteArrayView contentType, QByteArrayView body, QByteArrayView extraHeaders,
                    bool close)
{
    const QByteArrayView reason = reasonPhrase(status);
    QByteArray out;
    out.reserve(120 + contentType.size() + extraHeaders.size() + body.size());
    out.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ').append(reason);
    out.append("\r\nContent-Type: ").append(contentType);
    out.append("\r\nContent-Length: ").append(QByteArray::number(body.size())).append("\r\n");
    out.append(extraHeaders);
    if (close)
        out.append("Connection: close\r\n");
    out.append("\r\n").append(body);
    return out;
}

QByteArray bearerToken(const QByteArray &authorization)
{
    const QByteArray header = authorization.trimmed();
    constexpr QByteArrayView kScheme = "bearer ";
    if (header.size() <= kScheme.size()
        || QByteArrayView(header).first(kScheme.size()).compare(kScheme, Qt::CaseInsensitive) != 0)
        return {};
    return header.mid(kScheme.size()).trimmed();
}

bool sameToken(const QByteArray &given, const QByteArray &expected)
{
    if (expected.isEmpty())
        return false;
    unsigned difference = unsigned(given.size() ^ expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        difference |= unsigned(uchar(expected.at(i)) ^ uchar(i < given.size() ? given.at(i) : 0));
    return difference == 0;
}

} // namespace http

ListeningSockets::~ListeningSockets()
{
    for (int fd : m_fds) {
        if (fd >= 0)
            ::close(fd);
    }
}

int ListeningSockets::take(std::size_t i)
{
    return std::exchange(m_fds.at(i), -1);
}

Status ListeningSockets::open(const QHostAddress &host, quint16 port, int count)
{
    sockaddr_storage address {};
    socklen_t length = 0;
    const int family = host.protocol() == QAbstractSocket::IPv4Protocol ? AF_INET : AF_INET6;
    if (family == AF_INET) {
        auto *in = reinterpret_cast<sockaddr_in *>(&address);
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(host.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&address);
        in6->sin6_family = AF_INET6;
        const Q_IPV6ADDR ip = host.protocol() == QAbstractSocket::IPv6Protocol ? host.toIPv6Address() : Q_IPV6ADDR {};
        std::memcpy(&in6->sin6_addr, &ip, sizeof(ip));
        length = sizeof(sockaddr_in6);
    }
    const auto setPort = [&](quint16 p) {
        if (family == AF_INET)
            reinterpret_cast<sockaddr_in *>(&address)->sin_port = htons(p);
        else
            reinterpret_cast<sockaddr_in6 *>(&address)->sin6_port = htons(p);
    };
    const QString where = QStringLiteral("%1 port %2").arg(host.toString()).arg(port);
    const auto failure = [&](const char *what) {
        const int error = errno;
        QString reason = QString::fromLocal8Bit(std::strerror(error));
        if (error == EADDRINUSE)
            reason = QStringLiteral("the port is already in use");
        else if (error == EACCES)
            reason += QStringLiteral(" (ports below 1024 need privileges)");
        else if (error == EADDRNOTAVAIL)
            reason = QStringLiteral("%1 is not an address of this machine").arg(host.toString());
        return Error {QStringLiteral("cannot listen on %1: %2 (%3)").arg(where, reason, QLatin1String(what))};
    };
    const auto newSocket = [&](bool reusePort) {
        const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return fd;
        const int one = 1;
        const int zero = 0;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (reusePort)
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
        if (family == AF_INET6 && host.protocol() != QAbstractSocket::IPv6Protocol) // Any: both stacks
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        return fd;
    };

    setPort(port);
    const int probe = newSocket(false);
    if (probe < 0)
        return failure("socket");
    if (::bind(probe, reinterpret_cast<sockaddr *>(&address), length) != 0) {
        Error error = failure("bind");
        ::close(probe);
        return error;
    }
    sockaddr_storage bound {};
    socklen_t boundLength = sizeof(bound);
    ::getsockname(probe, reinterpret_cast<sockaddr *>(&bound), &boundLength);
    m_port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in *>(&bound)->sin_port
                                     : reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);
    ::close(probe);

    setPort(m_port);
    for (int i = 0; i < count; ++i) {
        const int fd = newSocket(true);
        if (fd < 0)
            return failure("socket");
        m_fds.push_back(fd);
        if (::bind(fd, reinterpret_cast<sockaddr *>(&address), length) != 0)
            return failure("bind");
        if (::listen(fd, SOMAXCONN) != 0)
            return failure("listen");
    }
    return {};
}

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

// RFC 9110 token characters, for the method and header names.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

// A piece of a client's bytes as a message shows it: printable ASCII, cut short.
QString shown(QByteArrayView text)
{
    constexpr qsizetype kShown = 60;
    QString out;
    for (char c : text.first(qMin(text.size(), kShown)))
        out += (c >= 0x20 && c < 0x7f) ? QLatin1Char(c) : QLatin1Char('?');
    if (text.size() > kShown)
        out += QStringLiteral("…");
    return out;
}

// Where a head ends: just past its first "\n\r\n" or "\n\n", searched from `from`; -1 if not yet.
qsizetype headEnd(QByteArrayView head, qsizetype from)
{
    const qsizetype crlf = head.indexOf("\n\r\n", from);
    const qsizetype lf = head.indexOf("\n\n", from);
    if (crlf < 0 && lf < 0)
        return -1;
    if (lf < 0 || (crlf >= 0 && crlf < lf))
        return crlf + 3;
    return lf + 2;
}

} // namespace

RequestScanner::RequestScanner(const RequestLimits &limits)
    : m_limits(limits)
{ }

RequestScanner::Refusal RequestScanner::refuse(int status, const QString &message, const QByteArray &path)
{
    m_state = State::Refused;
    m_head.clear();
    Refusal refusal;
    refusal.status = status;
    refusal.message = message;
    refusal.path = path;
    return refusal;
}

void RequestScanner::skipBody(qint64 bytes)
{
    Q_ASSERT(bytes <= pendingBodyBytes());
    if (m_state != State::Body)
        return;
    m_bodyLeft -= bytes;
    if (m_bodyLeft == 0)
        m_state = State::Head;
}

RequestScanner::Refusal RequestScanner::feed(QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        switch (m_state) {
        case State::Refused:
            return {};
        case State::Body: {
            const qint64 taken = qMin<qint64>(m_bodyLeft, bytes.size());
            skipBody(taken);
            bytes = bytes.sliced(taken);
            break;
        }
        case State::Head: {
            if (m_head.isEmpty()) {
                // Blank lines before a request line are allowed, as Qt HttpServer allows them.
                qsizetype blank = 0;
                while (blank < bytes.size() && isSpace(bytes.at(blank)))
                    ++blank;
                bytes = bytes.sliced(blank);
                if (bytes.isEmpty())
                    break;
            }
            const qsizetype before = m_head.size();
            // Never keep much more than the limit, whatever a client sends without a blank line.
            const qsizetype taken = qMin<qsizetype>(bytes.size(), m_limits.maxHeaderBytes + 4 - before);
            m_head.append(bytes.first(taken));
            const qsizetype end = headEnd(m_head, qMax<qsizetype>(0, before - 2));
            if (end < 0) {
                if (m_head.size() > m_limits.maxHeaderBytes)
                    return refuse(
                        431,
                        QStringLiteral("the request line and headers are over %1 bytes").arg(m_limits.maxHeaderBytes));
                bytes = bytes.sliced(taken);
                break;
            }
            if (end > m_limits.maxHeaderBytes)
                return refuse(
                    431, QStringLiteral("the request line and headers are over %1 bytes").arg(m_limits.maxHeaderBytes));
            bytes = bytes.sliced(end - before);
            const QByteArray head = m_head.first(end);
            m_head.clear();
            if (Refusal refusal = parseHead(head))
                return refusal;
            break;
        }
        }
    }
    return {};
}

RequestScanner::Refusal RequestScanner::parseHead(QByteArrayView head)
{
    QList<QByteArrayView> lines;
    for (qsizetype at = 0; at < head.size();) {
        qsizetype newline = head.indexOf('\n', at);
        if (newline < 0)
            newline = head.size();
        QByteArrayView line = head.sliced(at, newline - at);
        if (line.endsWith('\r'))
            line.chop(1);
        lines.append(line);
        at = newline + 1;
    }
    while (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return refuse(400, QStringLiteral("empty request"));

    // Request-Line = method SP request-target SP HTTP-version
    const QByteArrayView requestLine = lines.front();
    const auto malformedLine = [&] {
        QString message = QStringLiteral("malformed request line '%1'").arg(shown(requestLine));
        if (requestLine.startsWith('{') || requestLine.startsWith('['))
            message += QStringLiteral(" (a body sent without Content-Length?)");
        return refuse(400, message);
    };
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace)
        return malformedLine();
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = trimmed(requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1));
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    if (!isToken(method) || target.isEmpty() || target.contains(' ')
        || (version != "HTTP/1.1" && version != "HTTP/1.0"))
        return malformedLine();
    const qsizetype query = target.indexOf('?');
    const QByteArray path = (query < 0 ? target : target.first(query)).toByteArray();

    qint64 contentLength = 0;
    bool haveLength = false;
    QByteArrayView transferEncoding;
    bool keepAlive = version == "HTTP/1.1";
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (line.startsWith(' ') || line.startsWith('\t') || colon <= 0 || !isToken(line.first(colon)))
            return refuse(400, QStringLiteral("malformed header line '%1'").arg(shown(line)), path);
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (name.compare("content-length", Qt::CaseInsensitive) == 0) {
            if (value.isEmpty()
                || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return refuse(400, QStringLiteral("Content-Length '%1' is not a number of bytes").arg(shown(value)),
                              path);
            bool fits = false;
            qint64 length = value.toLongLong(&fits);
            if (!fits)
                length = std::numeric_limits<qint64>::max();
            if (haveLength && length != contentLength)
                return refuse(400, QStringLiteral("two different Content-Length headers"), path);
            contentLength = length;
            haveLength = true;
        } else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
            transferEncoding = value;
        } else if (name.compare("connection", Qt::CaseInsensitive) == 0) {
            if (value.compare("keep-alive", Qt::CaseInsensitive) == 0)
                keepAlive = true;
            else if (value.compare("close", Qt::CaseInsensitive) == 0)
                keepAlive = false;
        }
    }
    if (!transferEncoding.isEmpty() && transferEncoding.compare("identity", Qt::CaseInsensitive) != 0)
        return refuse(411,
                      QStringLiteral("Transfer-Encoding '%1' is not accepted: send the body with a Content-Length")
                          .arg(shown(transferEncoding)),
                      path);
    const bool isBundle = method == "PUT" && path == "/bundle";
    const qint64 limit = isBundle ? m_limits.maxBundleBytes : m_limits.maxBodyBytes;
    if (contentLength > limit)
        return refuse(
            413,
            QStringLiteral("the request body of %1 bytes is over this agent's limit of %2 bytes%3")
                .arg(contentLength)
                .arg(limit)
                .arg(isBundle ? QStringLiteral(" for bundles") : QStringLiteral(" (kiln-serve --max-body-bytes)")),
            path);
    m_closeRequested = m_closeRequested || !keepAlive;
    m_bodyLeft = contentLength;
    m_state = contentLength > 0 ? State::Body : State::Head;
    return {};
}

namespace {

// How long a refused connection is drained before it is cut: enough for a client that sends
// its body regardless to see the answer instead of a reset.
constexpr int kDrainMs = 5000;

// One connection's guard. `unread` is what the socket holds that the scanner has seen and Qt
// HttpServer has not read yet: a request pipelined behind the one it just handled.
struct ConnectionGuard
{
    explicit ConnectionGuard(const RequestLimits &limits)
        : scanner(limits)
    { }

    RequestScanner scanner;
    qint64 unread = 0;
};

void drain(QTcpSocket *socket)
{
    socket->skip(socket->bytesAvailable());
}

} // namespace

GuardedTcpServer::GuardedTcpServer(const RequestLimits &limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
{ }

GuardedTcpServer::~GuardedTcpServer() = default;

void GuardedTcpServer::setRefusalHandler(std::function<void(const RequestScanner::Refusal &)> handler)
{
    m_onRefusal = std::move(handler);
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        ::close(int(socketDescriptor));
        delete socket;
        return;
    }
    // Nagle would hold each small answer back until the client's delayed ACK (~40 ms).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto guard = std::make_shared<ConnectionGuard>(m_limits);

    // Connected before addPendingConnection(), which is where Qt HttpServer connects its own
    // readyRead handler: this one runs first and sees each new byte before it is read.
    connect(socket, &QTcpSocket::readyRead, socket, [this, socket, guard] {
        const qint64 available = socket->bytesAvailable();
        qint64 fresh = available - guard->unread;
        guard->unread = available;
        if (fresh <= 0)
            return; // the readyRead re-emitted below for a pipelined request
        const qint64 body = qMin(fresh, guard->scanner.pendingBodyBytes());
        guard->scanner.skipBody(body); // body bytes need no look
        fresh -= body;
        if (fresh == 0)
            return;
        const QByteArray bytes = socket->peek(available);
        const RequestScanner::Refusal refusal = guard->scanner.feed(QByteArrayView(bytes).last(fresh));
        if (!refusal) {
            if (guard->scanner.closeRequested())
                socket->setProperty(kCloseProperty, true);
            return;
        }

        // Qt HttpServer's handler is next in line for this very signal: disconnected here, it
        // is not called, and never sees this connection's bytes again.
        disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
        if (socket->isTransactionStarted())
            socket->rollbackTransaction();
        drain(socket);
        connect(socket, &QTcpSocket::readyRead, socket, [socket] { drain(socket); });
        socket->write(http::response(refusal.status, "application/json",
                                     http::errorBody(refusal.status, refusal.message), {}, true));
        // Half-close once the answer is out, then drop what still comes until the client
        // closes (Qt HttpServer deletes the socket then) or the time is up.
        connect(socket, &QTcpSocket::bytesWritten, socket, [socket] {
            if (socket->bytesToWrite() == 0)
                ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
        });
        QTimer::singleShot(kDrainMs, socket, [socket] { socket->abort(); });
        if (m_onRefusal)
            m_onRefusal(refusal);
    });

    addPendingConnection(socket);

    // Runs after Qt HttpServer's handler. Qt HttpServer 6.4 reads one request per readyRead and
    // leaves a request pipelined behind it unread until more bytes come, which may be never:
    // when it read something and bytes are left, readyRead is emitted again for them.
    connect(socket, &QTcpSocket::readyRead, socket, [socket, guard] {
        if (guard->scanner.refused())
            return;
        const qint64 left = socket->bytesAvailable();
        const bool progressed = left < guard->unread;
        guard->unread = left;
        if (left > 0 && progressed && socket->state() == QAbstractSocket::ConnectedState) {
            // Queued to the socket itself: dropped if it is gone by then.
            QMetaObject::invokeMethod(
                socket, [socket] { Q_EMIT socket->readyRead(); }, Qt::QueuedConnection);
        }
    });
}

} // namespace kiln
