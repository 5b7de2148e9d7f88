#include "storeworker.h"

namespace kiln {

StoreWorker::StoreWorker()
    : m_session(std::make_shared<Session>())
{
    m_pool.setMaxThreadCount(1);
}

StoreWorker::~StoreWorker()
{
    m_pool.waitForDone();
}

void StoreWorker::setLocation(const QString &location)
{
    if (location == m_session->location)
        return;
    // A new session: jobs queued for the old one still hold it, and it closes after them.
    m_session = std::make_shared<Session>();
    m_session->location = location;
}

QString StoreWorker::location() const
{
    return m_session->location;
}

Expected<Workspace *> StoreWorker::Session::workspace()
{
    if (opened)
        return opened.get();
    if (location.isEmpty())
        return Error {QStringLiteral("no workspace is open")};
    Expected<std::unique_ptr<Workspace>> workspace = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error(); // tried again by the next job
    opened = std::move(workspace).value();
    return opened.get();
}

} // namespace kiln
