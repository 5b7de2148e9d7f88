#include "deploy/deploymentspanel.h"

namespace kiln {

// Stub: the owner of this file replaces it.
class DeploymentsPanel::Private
{
};

DeploymentsPanel::DeploymentsPanel(TaskManager *, CredentialStore *, QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
}

DeploymentsPanel::~DeploymentsPanel() = default;

} // namespace kiln
