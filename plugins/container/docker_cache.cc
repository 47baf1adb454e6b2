#include "plugins/container/docker_cache.h"

#include "plugins/container/docker_client.h"

namespace cistern::plugins::container {
namespace {

constexpr int64_t kEngineRetryMs = 60'000;    // after no socket / a timeout
constexpr int64_t kUnknownRetryMs = 300'000;  // an id the engine does not know

}  // namespace

DockerCache::DockerCache(std::string socket_path, Duration timeout, std::string log_component)
    : socket_path_(std::move(socket_path)), timeout_(timeout), log_component_(std::move(log_component)) {}

const DockerContainer* DockerCache::Lookup(const std::string& id, int64_t now_ms) {
  if (socket_path_.empty()) return nullptr;
  Entry& e = entries_[id];
  if (e.info) return &*e.info;
  if (now_ms < e.retry_at_ms || now_ms < engine_retry_at_ms_) return nullptr;
  ++requests_;
  auto response = DockerGet(socket_path_, "/containers/" + id + "/json", timeout_);
  if (!response.ok()) {
    // No engine here (NotFound) is normal and not logged; a hung or broken one is.
    engine_retry_at_ms_ = now_ms + kEngineRetryMs;
    e.retry_at_ms = now_ms + kEngineRetryMs;
    uint64_t suppressed = 0;
    if (response.status().code() != StatusCode::kNotFound && log_.Allow(&suppressed)) {
      obs::Warn(log_component_, "container {}: {}", id.substr(0, 12), response.status().message());
    }
    return nullptr;
  }
  if (response->status != 200) {
    e.retry_at_ms = now_ms + kUnknownRetryMs;  // 404: not the engine's container
    return nullptr;
  }
  auto info = ParseDockerInspect(response->body);
  if (!info.ok()) {
    e.retry_at_ms = now_ms + kUnknownRetryMs;
    uint64_t suppressed = 0;
    if (log_.Allow(&suppressed)) {
      obs::Warn(log_component_, "docker api {}: /containers/{}/json: {}", socket_path_, id.substr(0, 12),
                info.status().message());
    }
    return nullptr;
  }
  e.info = std::move(*info);
  return &*e.info;
}

void DockerCache::Retain(const std::set<std::string>& alive) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = alive.count(it->first) ? std::next(it) : entries_.erase(it);
  }
}

}  // namespace cistern::plugins::container
