#include "icons.h"

namespace kiln::icons {

namespace {
QIcon fromResource(const char *name)
{
    return QIcon(QStringLiteral(":/icons/") + QLatin1String(name) + QStringLiteral(".svg"));
}
} // namespace

QIcon app()
{
    return fromResource("kiln");
}

QIcon data()
{
    return fromResource("data");
}

QIcon experiments()
{
    return fromResource("experiments");
}

QIcon models()
{
    return fromResource("models");
}

QIcon deployments()
{
    return fromResource("deployments");
}

QIcon importIcon()
{
    return fromResource("import");
}

} // namespace kiln::icons
