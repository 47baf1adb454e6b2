// StatfsRunner: statfs(2) with a deadline, so that a dead NFS server or a
// hung FUSE daemon cannot hang the filesystem collector.
//
// The call runs on a helper thread; the caller waits at most `timeout`. When
// the deadline passes the mount point is marked stuck and the helper thread
// is abandoned (detached: it owns what it uses and exits when the kernel
// finally answers, unmarking the mount point). While a mount point is stuck,
// Stat() answers kStuck at once without touching it, so one hung mount costs
// one thread and one timeout, not one per collection. This is node_exporter's
// stuckMounts / mount-timeout behaviour (5 s there too), except that our
// first collection gives up at the deadline instead of waiting for the kernel.
//
// Thread-compatible: one caller at a time (the collector's worker thread).
#pragma once

#include <sys/vfs.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace cistern::plugins::host {

class StatfsRunner {
 public:
  // Returns 0 and fills `out`, or an errno value. Must be callable from any
  // thread and outlive every call made with it (it is copied into the
  // helper threads' shared state).
  using StatFunction = std::function<int(const std::string& path, struct statfs* out)>;
  static int SystemStatfs(const std::string& path, struct statfs* out);

  explicit StatfsRunner(std::chrono::milliseconds timeout, StatFunction fn = SystemStatfs);
  ~StatfsRunner();
  StatfsRunner(const StatfsRunner&) = delete;
  StatfsRunner& operator=(const StatfsRunner&) = delete;

  enum class Outcome { kOk, kFailed, kTimedOut, kStuck };
  struct Result {
    Outcome outcome = Outcome::kFailed;
    struct statfs stat {};
    int error = 0;  // errno for kFailed
  };
  Result Stat(const std::string& path);

  // Whether `path` timed out and has not answered since.
  bool IsStuck(const std::string& path) const;

 private:
  struct Shared;
  struct Worker;
  static void WorkerLoop(std::shared_ptr<Shared> shared, std::shared_ptr<Worker> worker);

  std::chrono::milliseconds timeout_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Worker> worker_;  // the live helper (idle between calls), or null
  std::thread thread_;              // its thread
};

}  // namespace cistern::plugins::host
