#pragma once

#include "runs/runtypes.h"

#include <QColor>

/// The few colours Kiln uses beyond the platform palette, in one place.
namespace kiln::theme {

/// Burnt orange, the colour of the kiln: selection accents and chart bars.
inline QColor accent()
{
    return QColor(0xc2, 0x55, 0x2b);
}
inline QColor chartFill()
{
    return QColor(0xc2, 0x55, 0x2b, 0x70);
}
inline QColor sidebarBackground()
{
    return QColor(0x2b, 0x2d, 0x33);
}
inline QColor sidebarText()
{
    return QColor(0xd8, 0xd9, 0xdd);
}
inline QColor errorText()
{
    return QColor(0xb3, 0x26, 0x1e);
}
inline QColor mutedText()
{
    return QColor(0x6b, 0x6f, 0x78);
}

/// Chart lines of a training run: the training split in the accent, validation in blue.
inline QColor trainLine()
{
    return accent();
}
inline QColor validationLine()
{
    return QColor(0x2f, 0x6d, 0xb5);
}

/// The colour a run's status is shown in (dot in the runs tree, pill on the run page).
inline QColor runStatus(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued:
        return QColor(0x8a, 0x8f, 0x98);
    case RunStatus::Running:
        return QColor(0x2f, 0x6d, 0xb5);
    case RunStatus::Finished:
        return QColor(0x2e, 0x7d, 0x32);
    case RunStatus::Failed:
        return errorText();
    case RunStatus::Cancelled:
        return QColor(0xa6, 0x6a, 0x00);
    case RunStatus::Interrupted:
        return QColor(0x7b, 0x4f, 0xa0);
    }
    return mutedText();
}

} // namespace kiln::theme
