#include "deploy/driftview.h"

namespace kiln {

// Stub: the owner of this file replaces it.
class DriftView::Private
{
};

DriftView::DriftView(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
}

DriftView::~DriftView() = default;

} // namespace kiln
