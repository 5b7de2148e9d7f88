#pragma once

#include <QIcon>

/// Kiln's own icons, drawn as SVG in resources/icons.
namespace kiln::icons {

QIcon app();
QIcon data();
QIcon experiments();
QIcon models();
QIcon deployments();
QIcon importIcon();

} // namespace kiln::icons
