// The roles: wiring, start/stop order, reload, shutdown. The only place that
// knows every module; nothing includes app/ except main.cc.
#pragma once

#include <optional>
#include <string>

#include "agent/base/status.h"
#include "agent/config/config.h"
#include "agent/obs/log.h"

namespace cistern::app {

enum class Role { kAgent, kServer, kRun };
std::string_view RoleName(Role role);

struct AppOptions {
  Role role = Role::kAgent;
  std::string config_path;                  // "" = built-in defaults
  std::optional<obs::LogLevel> log_level;   // --log-level overrides [global] log_level
  std::string data_dir;                     // --data-dir overrides [global] data_dir
  int shutdown_timeout_ms = 10000;          // SIGINT/SIGTERM: give up waiting after this
};

// Loads (or builds the built-in default) config, applies flag overrides,
// resolves inputs against the plugin registry and checks role requirements.
// Every problem is reported, with file:line where there is one.
StatusOr<config::Config> LoadConfig(const AppOptions& options);

// `cistern check config FILE`: validates without starting anything. Prints a
// summary or the errors; returns the exit code (0 ok, 2 invalid).
int CheckConfig(const std::string& path);

// `cistern wal inspect DIR`: segments, samples, time range, series and each
// consumer's position and lag. Read-only. Returns the exit code.
int WalInspect(const std::string& dir);
// `cistern tsdb inspect DIR`: read-only report; exit 1 on errors.
int TsdbInspect(const std::string& dir, bool json, bool force);

// `cistern collect INPUT`: runs one collection of a configured input (or of
// the plugin INPUT with its defaults) and prints its samples in the
// Prometheus text format, sorted. Returns the exit code (1 if it failed).
int Collect(const AppOptions& options, const std::string& input_id);

// Runs a role until SIGINT/SIGTERM. Returns the process exit code.
int Run(const AppOptions& options);

}  // namespace cistern::app
