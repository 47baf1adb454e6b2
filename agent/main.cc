// cistern: one binary, several roles.
//
//   cistern [flags] run | agent | server
//   cistern check config FILE
//   cistern wal inspect DIR
//   cistern collect INPUT
//   cistern version
//
// Exit codes: 0 ok, 1 runtime failure, 2 usage error or invalid configuration.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "agent/app/app.h"
#include "agent/obs/log.h"
#include "agent/obs/process_metrics.h"

namespace {

constexpr char kUsage[] =
    "usage: cistern [flags] <command> [args]\n"
    "\n"
    "commands:\n"
    "  run                  host, container and self inputs + local store + PromQL API and UI\n"
    "                       on 127.0.0.1:9090 (no config needed; --config adds to it)\n"
    "  agent                collect on this host and forward with remote-write\n"
    "  server               central store: remote-write receiver, TSDB, PromQL API\n"
    "  check config FILE    validate a configuration file and exit\n"
    "  wal inspect DIR      show a WAL's segments, samples, time range and consumers\n"
    "  tsdb inspect DIR     show a server data dir: blocks, head, WAL, cardinality (--json, --force)\n"
    "  collect INPUT        run one collection of an input (\"host\", \"redis[0]\") and print its samples\n"
    "  version              print the version and exit\n"
    "\n"
    "flags:\n"
    "  --config FILE        configuration file (TOML); default: built-in defaults\n"
    "  --log-level LEVEL    trace|debug|info|warn|error (overrides [global] log_level)\n"
    "  --data-dir DIR       overrides [global] data_dir\n"
    "  --json               tsdb inspect: machine-readable output\n"
    "  --force              tsdb inspect: read a directory a running server holds\n"
    "  -h, --help           this help\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "cistern: %s\n\n", error.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cistern;
  // glibc gives every thread that allocates its own arena (up to 8 per core)
  // and rarely returns their free memory: with the query workers that kept
  // peak RSS at twice the live data. Four arenas keep allocation contention
  // low on the ingest and query threads and the RSS near what is in use.
  // MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 4);
  app::AppOptions options;
  std::vector<std::string> args;
  bool json = false, force = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view flag, std::string* out) -> bool {
      if (a == flag) {
        if (i + 1 >= argc) return false;
        *out = argv[++i];
        return true;
      }
      if (a.size() > flag.size() && a.substr(0, flag.size()) == flag && a[flag.size()] == '=') {
        *out = std::string(a.substr(flag.size() + 1));
        return true;
      }
      return false;
    };
    std::string v;
    if (a == "-h" || a == "--help" || a == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--config" || a.rfind("--config=", 0) == 0) {
      if (!value("--config", &options.config_path)) return Usage("--config needs a file");
    } else if (a == "--data-dir" || a.rfind("--data-dir=", 0) == 0) {
      if (!value("--data-dir", &options.data_dir)) return Usage("--data-dir needs a directory");
    } else if (a == "--log-level" || a.rfind("--log-level=", 0) == 0) {
      if (!value("--log-level", &v)) return Usage("--log-level needs a level");
      auto level = obs::ParseLogLevel(v);
      if (!level.ok()) return Usage(level.status().message());
      options.log_level = *level;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--force") {
      force = true;
    } else if (!a.empty() && a[0] == '-') {
      return Usage("unknown flag " + std::string(a));
    } else {
      args.emplace_back(a);
    }
  }
  if (args.empty()) return Usage("no command given");
  const std::string& cmd = args[0];
  if (cmd == "version") {
    if (args.size() != 1) return Usage("version takes no arguments");
    std::printf("cistern %s (%s)\n", obs::kVersion, __VERSION__);
    return 0;
  }
  if (cmd == "check") {
    if (args.size() != 3 || args[1] != "config") return Usage("usage: cistern check config FILE");
    return app::CheckConfig(args[2]);
  }
  if (cmd == "wal") {
    if (args.size() != 3 || args[1] != "inspect") return Usage("usage: cistern wal inspect DIR");
    return app::WalInspect(args[2]);
  }
  if (cmd == "tsdb") {
    if (args.size() != 3 || args[1] != "inspect") return Usage("usage: cistern tsdb inspect DIR [--json] [--force]");
    return app::TsdbInspect(args[2], json, force);
  }
  if ((json || force) && cmd != "tsdb") return Usage("--json and --force are flags of tsdb inspect");
  if (cmd == "collect") {
    if (args.size() != 2) return Usage("usage: cistern collect INPUT");
    obs::InitLogging(options.log_level.value_or(obs::LogLevel::kWarn), obs::LogFormat::kText);
    return app::Collect(options, args[1]);
  }
  if (cmd == "run" || cmd == "agent" || cmd == "server") {
    if (args.size() != 1) return Usage(cmd + " takes no arguments (got \"" + args[1] + "\")");
    options.role = cmd == "run" ? app::Role::kRun : cmd == "agent" ? app::Role::kAgent : app::Role::kServer;
    return app::Run(options);
  }
  return Usage("unknown command \"" + cmd + "\"");
}
