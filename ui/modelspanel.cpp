#include "modelspanel.h"

// Stub: a helper implements the Models panel.
namespace kiln {
class ModelsPanel::Private
{ };
ModelsPanel::ModelsPanel(TaskManager *, QWidget *parent)
    : QWidget(parent)
{ }
ModelsPanel::~ModelsPanel() = default;
} // namespace kiln
