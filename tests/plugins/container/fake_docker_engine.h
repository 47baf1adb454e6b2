// A stand-in for the Docker Engine API on a unix socket, for tests: answers
// GET /containers/<id>/json from a table (404 for the rest) on its own
// thread, counts requests, and can be told to accept and never answer (a
// hung daemon). Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace cistern::plugins::container::testing {

class FakeDockerEngine {
 public:
  explicit FakeDockerEngine(std::string socket_path);
  ~FakeDockerEngine();
  FakeDockerEngine(const FakeDockerEngine&) = delete;
  FakeDockerEngine& operator=(const FakeDockerEngine&) = delete;

  // The inspect JSON returned for `id`.
  void AddContainer(const std::string& id, std::string json);
  void SetHang(bool hang) { hang_ = hang; }
  int requests() const { return requests_; }
  const std::string& socket_path() const { return path_; }

 private:
  void Serve();
  std::string path_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::mutex mu_;
  std::map<std::string, std::string> containers_;
  std::atomic<bool> hang_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace cistern::plugins::container::testing
