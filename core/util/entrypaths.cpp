#include "util/entrypaths.h"

#include <QRegularExpression>
#include <QStringList>

namespace kiln::Internal::EntryPaths {

namespace {

bool isAbsolute(const QString &path)
{
    if (path.startsWith(QLatin1Char('/')) || path.startsWith(QLatin1Char('\\')))
        return true;
    // "C:\x" and also "C:x", which Windows resolves against the current folder of drive C.
    return path.size() >= 2 && path.at(1) == QLatin1Char(':') && path.at(0).isLetter() && path.at(0).unicode() < 128;
}

QStringList components(const QString &path)
{
    static const QRegularExpression separators(QStringLiteral("[/\\\\]"));
    return path.split(separators, Qt::SkipEmptyParts);
}

/// Applies `relative` to the folder `base` (components, root first); false when ".." climbs
/// above the root.
bool resolveInside(QStringList base, const QString &relative)
{
    if (isAbsolute(relative))
        return false;
    for (const QString &part : components(relative)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (base.isEmpty())
                return false;
            base.removeLast();
            continue;
        }
        base.append(part);
    }
    return true;
}

} // namespace

Expected<QString> clean(const QString &rawPath)
{
    if (isAbsolute(rawPath))
        return Error {QStringLiteral("its path is absolute")};
    QStringList kept;
    for (const QString &part : components(rawPath)) {
        if (part == QLatin1String(".."))
            return Error {QStringLiteral("its path leaves the archive")};
        if (part != QLatin1String("."))
            kept.append(part);
    }
    return kept.join(QLatin1Char('/'));
}

bool symlinkStaysInside(const QString &linkPath, const QString &target)
{
    QStringList folder = components(linkPath);
    if (!folder.isEmpty())
        folder.removeLast();
    return !target.isEmpty() && resolveInside(folder, target);
}

bool hardLinkStaysInside(const QString &target)
{
    return !target.isEmpty() && resolveInside({}, target);
}

} // namespace kiln::Internal::EntryPaths
