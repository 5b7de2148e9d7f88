#include "runcolors.h"

#include <array>
#include <cmath>

namespace kiln {

QColor runColor(qint64 runId)
{
    // Twelve hues that read apart on white (Tableau 10 and two more).
    static constexpr std::array<QRgb, 12> kPalette = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
        0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0xad494a,
    };
    const quint64 id = quint64(runId < 0 ? -runId : runId);
    // The first 48 numbers: the palette in four lightnesses. Past them, hues a golden angle
    // apart, so that runs 200 numbers apart still rarely look alike.
    if (id < 4 * kPalette.size()) {
        const QColor base = QColor::fromRgb(kPalette[id % kPalette.size()]);
        switch (id / kPalette.size()) {
        case 1:
            return base.darker(135);
        case 2:
            return base.lighter(130);
        case 3:
            return base.darker(170);
        default:
            return base;
        }
    }
    constexpr double kGoldenAngle = 137.50776405003785;
    const double hue = std::fmod(double(id) * kGoldenAngle, 360.0);
    const int lightness = 90 + int((id / 7) % 3) * 40; // 90, 130, 170 of 255: never washed out
    return QColor::fromHsl(int(hue), 170, lightness);
}

} // namespace kiln
