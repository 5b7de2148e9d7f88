#include "runcolors.h"

#include <array>

namespace kiln {

QColor runColor(qint64 runId)
{
    // Twelve hues that read apart on white (Tableau 10 and two more), then the same hues
    // shifted in lightness, so that the first two dozen runs never share a colour.
    static constexpr std::array<QRgb, 12> kPalette = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
        0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0xad494a,
    };
    const quint64 id = quint64(runId < 0 ? -runId : runId);
    const QColor base = QColor::fromRgb(kPalette[id % kPalette.size()]);
    const quint64 round = (id / kPalette.size()) % 4;
    switch (round) {
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

} // namespace kiln
