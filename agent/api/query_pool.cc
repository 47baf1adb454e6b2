#include "agent/api/query_pool.h"

#include <algorithm>
#include <cassert>

namespace cistern::api {

QueryPool::QueryPool(uv_loop_t* loop, int threads, obs::Gauge* queued, obs::Gauge* active)
    : queued_gauge_(queued), active_gauge_(active) {
  wake_ = std::make_unique<loop::Async>(loop, [this] { Deliver(); });
  wake_->Unref();  // pending answers alone do not keep the loop running
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Worker(); });
}

QueryPool::~QueryPool() { Stop(); }

void QueryPool::Submit(std::function<void()> work, std::function<void(Status)> done) {
  assert(!stopped_);
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(work), std::move(done)});
    if (queued_gauge_) queued_gauge_->Set(static_cast<double>(queue_.size()));
  }
  cv_.notify_one();
}

void QueryPool::Worker() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;  // what is still queued is cancelled by Stop()
    Job job = std::move(queue_.front());
    queue_.pop_front();
    if (queued_gauge_) queued_gauge_->Set(static_cast<double>(queue_.size()));
    if (active_gauge_) active_gauge_->Add(1);
    lock.unlock();
    job.work();
    job.work = nullptr;  // release what the work captured on this thread, before the answer
    lock.lock();
    if (active_gauge_) active_gauge_->Add(-1);
    finished_.push_back(std::move(job.done));
    wake_->Send();
  }
}

void QueryPool::Deliver() {
  std::vector<std::function<void(Status)>> done;
  {
    std::lock_guard lock(mu_);
    done.swap(finished_);
  }
  for (auto& d : done) d(OkStatus());
}

void QueryPool::Stop() {
  if (stopped_) return;
  stopped_ = true;
  std::deque<Job> cancelled;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cancelled.swap(queue_);
    if (queued_gauge_) queued_gauge_->Set(0);
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  Deliver();
  wake_.reset();
  for (Job& j : cancelled) j.done(CancelledError("query api: shutting down"));
}

}  // namespace cistern::api
