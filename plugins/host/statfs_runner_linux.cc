#include <sys/vfs.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <set>
#include <system_error>

#include "plugins/host/statfs_runner.h"

namespace cistern::plugins::host {

struct StatfsRunner::Shared {
  explicit Shared(StatFunction f) : fn(std::move(f)) {}
  const StatFunction fn;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::set<std::string, std::less<>> stuck;  // guarded by mu
};

// One helper thread's mailbox; guarded by Shared::mu.
struct StatfsRunner::Worker {
  std::string path;
  bool has_request = false;
  bool done = false;
  bool abandoned = false;  // the caller gave up: clean up and exit
  bool quit = false;
  struct statfs stat {};
  int error = 0;
};

int StatfsRunner::SystemStatfs(const std::string& path, struct statfs* out) {
  while (::statfs(path.c_str(), out) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

StatfsRunner::StatfsRunner(std::chrono::milliseconds timeout, StatFunction fn)
    : timeout_(timeout), shared_(std::make_shared<Shared>(std::move(fn))) {}

StatfsRunner::~StatfsRunner() {
  if (worker_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    worker_->quit = true;
  }
  shared_->cv.notify_all();
  thread_.join();  // idle between calls: returns at once
}

void StatfsRunner::WorkerLoop(std::shared_ptr<Shared> shared, std::shared_ptr<Worker> w) {
  std::unique_lock<std::mutex> lock(shared->mu);
  while (true) {
    shared->cv.wait(lock, [&] { return w->quit || w->has_request; });
    if (w->quit) return;
    std::string path = w->path;
    lock.unlock();
    struct statfs st {};
    int err = shared->fn(path, &st);
    lock.lock();
    w->has_request = false;
    if (w->abandoned) {
      shared->stuck.erase(path);  // it answered: monitor it again
      return;
    }
    w->stat = st;
    w->error = err;
    w->done = true;
    shared->cv.notify_all();
  }
}

bool StatfsRunner::IsStuck(const std::string& path) const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->stuck.count(path) > 0;
}

StatfsRunner::Result StatfsRunner::Stat(const std::string& path) {
  Result r;
  std::unique_lock<std::mutex> lock(shared_->mu);
  if (shared_->stuck.count(path) > 0) {
    r.outcome = Outcome::kStuck;
    return r;
  }
  if (worker_ == nullptr) {
    auto w = std::make_shared<Worker>();
    try {
      thread_ = std::thread(WorkerLoop, shared_, w);
    } catch (const std::system_error& e) {
      r.error = e.code().value() != 0 ? e.code().value() : EAGAIN;
      return r;
    }
    worker_ = std::move(w);
  }
  worker_->path = path;
  worker_->done = false;
  worker_->has_request = true;
  shared_->cv.notify_all();
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  if (!shared_->cv.wait_until(lock, deadline, [&] { return worker_->done; })) {
    worker_->abandoned = true;
    shared_->stuck.insert(path);
    thread_.detach();
    worker_.reset();
    r.outcome = Outcome::kTimedOut;
    return r;
  }
  worker_->done = false;
  if (worker_->error != 0) {
    r.error = worker_->error;
    return r;
  }
  r.outcome = Outcome::kOk;
  r.stat = worker_->stat;
  return r;
}

}  // namespace cistern::plugins::host
