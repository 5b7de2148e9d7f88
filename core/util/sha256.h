#pragma once

#include "tasks/feedback.h"
#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <memory>

namespace kiln {

/// Incremental SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions where
/// present (several times the throughput of QCryptographicHash's portable code; hashing is
/// on the critical path of every import). Not thread-safe; one per stream.
class Sha256 final
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void addData(QByteArrayView data);
    /// The digest, as 64 lowercase hex characters; ends the stream.
    QByteArray hexResult();

    static QByteArray hexHash(QByteArrayView data);

private:
    struct Context;
    std::unique_ptr<Context> d;
};

/// Whether `text` is a SHA-256 digest as Kiln writes them: 64 lowercase hex characters.
bool isSha256Hex(QStringView text);

/// The SHA-256 of a file's bytes (64 lowercase hex characters), read in 1 MiB chunks;
/// `feedback` (may be null) can cancel between chunks ("cancelled"). Errors name the file.
Expected<QString> fileSha256(const QString &path, Feedback *feedback = nullptr);

} // namespace kiln
