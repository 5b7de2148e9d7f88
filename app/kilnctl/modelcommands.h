// What kilnctl's models commands share: modelcommands.cpp defines it, modeleditcommands.cpp
// uses it too.
#pragma once

#include "cli.h"

#include "registry/registrytypes.h"

#include <QChar>
#include <QString>

#include <memory>

namespace kiln::cli {

inline constexpr QChar kArrow = u'\u2192';

/// Commands that change one version take NAME@VERSION (or NAME@ALIAS): a bare name, which
/// would mean the latest version, is too easy to get wrong there.
bool namesVersion(const QString &text);

/// The version a command acts on, with the workspace it was found in.
struct FoundVersion
{
    std::unique_ptr<Workspace> workspace;
    ModelVersion version;
};

/// Opens the workspace and finds the version `ref` names (NAME@VERSION, NAME@ALIAS, NAME).
Expected<FoundVersion> findVersion(const Context &ctx, const QString &ref);

} // namespace kiln::cli
