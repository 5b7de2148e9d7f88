#pragma once

#include "util/expected.h"
#include "workspace/workspace.h"

#include <QFuture>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent>

#include <memory>
#include <type_traits>

namespace kiln {

/// A connection to the open workspace kept off the GUI thread, for the small periodic reads
/// and the blocking calls (Slurm's tools) a widget or controller makes while a workspace is
/// open. Jobs run one at a time on a private pool of one thread, each handed the same
/// Workspace, opened from the location on first use (a team store's connection is not made
/// again for every read). Owned by a GUI-thread object; the destructor waits for the job in
/// flight.
class StoreWorker final
{
public:
    StoreWorker();
    ~StoreWorker();
    StoreWorker(const StoreWorker &) = delete;
    StoreWorker &operator=(const StoreWorker &) = delete;

    /// The workspace the next jobs use (Workspace::location(); empty: none). Jobs already
    /// queued keep the one they were queued for.
    void setLocation(const QString &location);
    QString location() const;

    /// Runs `job(Expected<Workspace *>)` on the worker: the workspace, or why it cannot be
    /// opened. Returns what the job returns, through the future.
    template<typename Job>
    auto run(Job job) -> QFuture<std::invoke_result_t<Job, Expected<Workspace *>>>
    {
        return QtConcurrent::run(&m_pool,
                                 [session = m_session, job = std::move(job)] { return job(session->workspace()); });
    }

private:
    /// What the jobs of one location share. Used by one job at a time (the pool has one
    /// thread), so the connection may move between pool threads: never used concurrently.
    struct Session
    {
        QString location;
        std::unique_ptr<Workspace> opened;

        Expected<Workspace *> workspace();
    };

    QThreadPool m_pool;
    std::shared_ptr<Session> m_session;
};

} // namespace kiln
