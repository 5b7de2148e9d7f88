#pragma once

#include "deploy/deploytarget.h"

#include <QString>

class QUrl;

namespace kiln::Internal {

/// What the four target kinds share: the configuration, the kind of the last failure, and
/// errors that name the target ("prod: cannot reach ...").
class TargetBase : public DeployTarget
{
public:
    const TargetConfig &config() const override { return m_config; }
    FailureKind lastFailureKind() const override { return m_failure; }

protected:
    explicit TargetBase(TargetConfig config)
        : m_config(std::move(config))
    { }

    /// "<target name>: <reason>", remembering `kind` for lastFailureKind().
    Error fail(const QString &reason, FailureKind kind = FailureKind::Permanent)
    {
        m_failure = kind;
        return Error {m_config.name + QStringLiteral(": ") + reason};
    }

    TargetConfig m_config;
    FailureKind m_failure = FailureKind::Permanent;
};

/// A field of a kind's Add Target form (not required, not secret; callers set those).
TargetField targetField(const char *key, const char *label, const char *placeholder, const char *help);

/// An http or https URL with a host (QUrl keeps schemes in lowercase).
bool isHttpUrl(const QUrl &url);

} // namespace kiln::Internal
