#include "targetsupport.h"

#include <QUrl>

namespace kiln::Internal {

TargetField targetField(const char *key, const char *label, const char *placeholder, const char *help)
{
    TargetField field;
    field.key = QString::fromUtf8(key);
    field.label = QString::fromUtf8(label);
    field.placeholder = QString::fromUtf8(placeholder);
    field.help = QString::fromUtf8(help);
    return field;
}

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty()
        && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

} // namespace kiln::Internal
