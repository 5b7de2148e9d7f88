#pragma once

#include "util/expected.h"

#include <QString>

namespace kiln::Internal {

/// Rules for the names stored in an archive, so that no entry and no link can point outside
/// the folder the archive stands for. Both '/' and '\' count as separators: an archive made
/// on one system is opened on another, and a name is only as safe as its most lenient reader.
/// Pure functions, usable from any thread.
namespace EntryPaths {

/// The entry's path made relative and clean ("./data//a.csv" gives "data/a.csv"), or the
/// reason it is refused: absolute ("/x", "C:\x", "\\server\x"), or with a ".." component
/// anywhere, even one that would stay inside: no honest archiver writes those. Empty for the
/// archive's root itself ("./", which tar often stores as a first folder entry).
Expected<QString> clean(const QString &rawPath);

/// Whether a symbolic link at `linkPath` (a clean() path) pointing to `target` resolves to a
/// place inside the archive. The target is relative to the link's folder.
bool symlinkStaysInside(const QString &linkPath, const QString &target);

/// Whether a hard link's target, which archives store relative to the archive's root,
/// stays inside it.
bool hardLinkStaysInside(const QString &target);

} // namespace EntryPaths
} // namespace kiln::Internal
