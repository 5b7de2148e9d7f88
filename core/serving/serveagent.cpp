#include "serving/serveagent.h"

namespace kiln {

// Stub: the owner of this file replaces it.
class ServeAgent::Private
{
};

ServeAgent::ServeAgent(ServeOptions, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
}

ServeAgent::~ServeAgent() = default;

} // namespace kiln
