// The configuration of every role (shared/CONFIG.md is the contract): plain
// structs, filled and validated in one place (config.cc). Value types.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/units.h"
#include "agent/config/schema.h"
#include "agent/config/value.h"
#include "agent/model/relabel.h"
#include "agent/obs/log.h"

namespace cistern::config {

using namespace std::chrono_literals;

struct GlobalConfig {
  std::string data_dir = "./data";
  obs::LogLevel log_level = obs::LogLevel::kInfo;
  obs::LogFormat log_format = obs::LogFormat::kText;
  Duration interval = 15s;
  std::map<std::string, std::string> external_labels;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:9090";
  bool enable_admin_api = false;
};

enum class FsyncMode { kAlways, kNever, kInterval };

struct WalConfig {
  uint64_t max_size = 1ULL << 30;
  uint64_t segment_size = 32ULL << 20;
  FsyncMode fsync = FsyncMode::kInterval;
  Duration fsync_interval = 1s;
  Duration max_age{0};
};

struct BasicAuth {
  std::string username;
  std::string password;  // resolved from password_file, or inline password
};

struct TlsConfig {
  std::string ca_file, cert_file, key_file;
  bool insecure_skip_verify = false;
};

struct QueueConfig {
  int64_t max_samples_per_send = 2000;
  Duration batch_send_deadline = 5s;
  int64_t max_shards = 0;  // 0: number of CPUs
  int64_t min_shards = 1;
  Duration min_backoff = 30ms;
  Duration max_backoff = 5s;
};

enum class CatchUp { kOldestFirst, kLiveFirst };

// One write_relabel_configs entry: the model's rule (validated by compiling
// it with model::Relabeler, so config and runtime agree) and where it was.
struct RelabelConfig {
  model::RelabelRule rule;
  Position position;
};

struct RemoteWriteConfig {
  std::string name;  // unique; default "<host:port>" of the url
  std::string url;
  Duration timeout = 30s;
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> external_labels;
  std::optional<BasicAuth> basic_auth;
  std::string bearer_token;  // from bearer_token_file or bearer_token
  TlsConfig tls;
  std::string proxy_url;
  QueueConfig queue;
  CatchUp catch_up = CatchUp::kOldestFirst;
  double max_drain_rate = 0;
  Duration reconnect_jitter{0};  // random delay, up to this, before draining a backlog after an outage
  Duration catch_up_threshold = 1min;  // samples older than this when read are a backlog
  Duration sample_age_limit{0};
  std::vector<RelabelConfig> write_relabel_configs;
  Position position;
};

struct StorageConfig {
  Duration retention = 30 * 24h;
  uint64_t retention_size = 0;  // 0: no size cap
  Duration block_duration = 2h;
  Duration out_of_order_window = 6h;
  friend bool operator==(const StorageConfig&, const StorageConfig&) = default;
};

// [receiver]: limits of POST /api/v1/write (server and run modes).
struct ReceiverConfig {
  uint64_t max_body = 32ULL << 20;           // compressed request body: 413 beyond
  uint64_t max_decoded_body = 256ULL << 20;  // after snappy: 413 beyond
  int64_t max_series_per_request = 200000;
  int64_t max_labels_per_series = 64;
  int64_t max_label_name_length = 1024;
  int64_t max_label_value_length = 16384;
  uint64_t max_pending = 256ULL << 20;       // bodies queued for the worker threads: 429 beyond
  friend bool operator==(const ReceiverConfig&, const ReceiverConfig&) = default;
};

// [query]: the PromQL engine behind /api/v1/query and /api/v1/query_range
// (server and run modes), as Prometheus' --query.* flags.
struct QueryConfig {
  Duration timeout = 2min;         // per query; the `timeout` parameter can only shorten it
  int64_t max_samples = 50'000'000;  // points one query may hold in memory at once
  int64_t max_concurrency = 20;    // queries evaluated at once (worker threads); more wait
  Duration lookback_delta = 5min;  // how far back an instant selector looks for a sample
  friend bool operator==(const QueryConfig&, const QueryConfig&) = default;
};

struct RulesConfig {
  std::vector<std::string> files;
  Duration evaluation_interval = 15s;
  Duration local_retention = 1h;
};

struct AlertmanagerConfig {
  std::string url;
  Duration timeout = 10s;
  std::optional<BasicAuth> basic_auth;
  std::string bearer_token;
  TlsConfig tls;
  Position position;
};

struct WebhookConfig {
  std::string url;
  Duration timeout = 10s;
  std::map<std::string, std::string> headers;
  Position position;
};

struct AlertingConfig {
  std::vector<AlertmanagerConfig> alertmanagers;
  std::vector<WebhookConfig> webhooks;
};

struct InputConfig {
  std::string plugin;   // "redis"
  int index = -1;       // position in [[inputs.redis]]; -1 for a single [inputs.host] table
  std::string id;       // "redis[0]" or "host"
  bool enabled = true;  // common key `enabled`
  Duration interval{0}; // common key `interval`; 0: global.interval
  std::map<std::string, std::string> labels;  // common key `labels`
  Value options;        // the table minus the common keys, for the plugin's schema
  Position position;
};

struct Config {
  std::string path;  // "" for built-in defaults
  GlobalConfig global;
  HttpConfig http;
  WalConfig wal;
  std::vector<RemoteWriteConfig> remote_write;
  StorageConfig storage;
  ReceiverConfig receiver;
  QueryConfig query;
  RulesConfig rules;
  AlertingConfig alerting;
  std::vector<InputConfig> inputs;
};

// Reads and validates a file. All problems are reported together, one per
// line, each starting with "file:line: ". Unreadable file: "read <path>: ...".
// `defaults` gives the keys the file leaves out (a role's own defaults, like
// `cistern run`'s laptop-sized retention); its lists must be empty.
StatusOr<Config> LoadConfigFile(const std::string& path, Config defaults = {});
StatusOr<Config> ParseConfig(std::string_view text, std::string_view filename, Config defaults = {});

}  // namespace cistern::config
