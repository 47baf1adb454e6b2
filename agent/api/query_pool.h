// QueryPool: the worker threads of the query API. Queries and store reads
// can take seconds to minutes, so they do not run on libuv's thread pool
// (the remote-write receiver decodes there; a few long queries would stall
// ingestion) but on this pool's own std::threads. Work is queued from the
// loop thread, runs on a worker, and its `done` runs back on the loop thread,
// woken through one uv_async_t.
//
// Loop thread only (constructor, Submit, Stop, destructor). Gauges, when
// given, are updated from any thread.
#pragma once

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/base/status.h"
#include "agent/loop/handle.h"
#include "agent/obs/metrics.h"

namespace cistern::api {

class QueryPool {
 public:
  // `queued` / `active` (may be null): work waiting for a worker / running.
  QueryPool(uv_loop_t* loop, int threads, obs::Gauge* queued = nullptr, obs::Gauge* active = nullptr);
  // Stop()s.
  ~QueryPool();
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  // Runs `work` on a worker, then `done(OK)` on the loop thread; for work
  // still queued at Stop(), `done(Cancelled)` instead (work not run). `done`
  // runs exactly once, never inside Submit(). Not after Stop().
  void Submit(std::function<void()> work, std::function<void(Status)> done);

  // Stops taking work, waits for running work to finish (cancel it first),
  // joins the threads and runs every outstanding `done` here, on the calling
  // (loop) thread. Idempotent.
  void Stop();

 private:
  struct Job {
    std::function<void()> work;
    std::function<void(Status)> done;
  };
  void Worker();
  void Deliver();  // loop thread: runs finished jobs' `done`

  obs::Gauge* const queued_gauge_;
  obs::Gauge* const active_gauge_;
  std::unique_ptr<loop::Async> wake_;
  std::vector<std::thread> threads_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;                              // guarded by mu_
  std::vector<std::function<void(Status)>> finished_;  // guarded by mu_
  bool stopping_ = false;                              // guarded by mu_
  bool stopped_ = false;                               // loop thread
};

}  // namespace cistern::api
