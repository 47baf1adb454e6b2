// Side by side with the reference: runs the Debian package's node_exporter
// (1.5.0) on loopback with only our six collectors and our HostConfig
// defaults, scrapes it, then runs our collectors on the same host and
// compares series (name + labels) one to one, and values where they are
// stable (sizes, info, configuration) or monotonic (counters: ours are read
// later, so never smaller). Skipped when node_exporter is not installed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/model/labels.h"
#include "plugins/host/collector.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/testing/net_util.h"

extern char** environ;

namespace cistern::plugins::host {
namespace {

constexpr const char* kNodeExporter = "/usr/bin/prometheus-node-exporter";
constexpr std::string_view kCollectors[] = {"filesystem", "diskstats", "netdev",
                                            "netstat",    "sockstat",  "pressure"};
constexpr std::string_view kPrefixes[] = {"node_filesystem_", "node_disk_",     "node_network_",
                                          "node_netstat_",    "node_sockstat_", "node_pressure_"};

bool Ours(std::string_view key) {
  for (std::string_view p : kPrefixes) {
    if (key.substr(0, p.size()) == p) return true;
  }
  return false;
}

// One sample line of the text format -> (Labels::ToString form, value).
bool ParseSampleLine(std::string_view line, std::string* key, double* value) {
  if (line.empty() || line[0] == '#') return false;
  std::vector<model::Label> labels;
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  labels.push_back({std::string(model::kMetricName), std::string(line.substr(0, i))});
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find('=', i);
      std::string name(line.substr(i, eq - i));
      std::string v;
      for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          v += line[i] == 'n' ? '\n' : line[i];
        } else {
          v += line[i];
        }
      }
      ++i;  // closing quote
      if (i < line.size() && line[i] == ',') ++i;
      if (!v.empty()) labels.push_back({name, v});  // empty value == absent label
    }
    ++i;  // '}'
  }
  *key = model::Labels::FromUnsorted(std::move(labels)).ToString();
  *value = std::stod(std::string(line.substr(i)));
  return true;
}

class NodeExporter {
 public:
  explicit NodeExporter(const HostConfig& c) {
    sockaddr_in a = cistern::testing::UnusedLoopbackAddress();
    port_ = ntohs(a.sin_port);
    std::vector<std::string> args = {
        kNodeExporter,
        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
        "--collector.disable-defaults",
        "--collector.filesystem.mount-points-exclude=" + c.mount_points_exclude,
        "--collector.filesystem.fs-types-exclude=" + c.fs_types_exclude,
        "--collector.diskstats.device-exclude=" + c.disk_device_exclude,
        "--collector.netdev.device-exclude=" + c.netdev_device_exclude,
        "--log.level=error",
    };
    for (std::string_view name : kCollectors) args.push_back("--collector." + std::string(name));
    std::vector<char*> argv;
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY,
                                     0);  // its udev complaint
    if (posix_spawn(&pid_, kNodeExporter, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~NodeExporter() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The /metrics body, retrying while it starts (up to ~10 s); "" on failure.
  std::string Scrape() {
    for (int attempt = 0; attempt < 200 && pid_ > 0; ++attempt) {
      std::string body = Get();
      if (!body.empty()) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

 private:
  std::string Get() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd);
      return "";
    }
    std::string req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
      close(fd);
      return "";
    }
    std::string resp;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
    close(fd);
    size_t body = resp.find("\r\n\r\n");
    if (resp.rfind("HTTP/1.0 200", 0) != 0 && resp.rfind("HTTP/1.1 200", 0) != 0) return "";
    return body == std::string::npos ? "" : resp.substr(body + 4);
  }

  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

bool Stable(std::string_view key) {
  for (std::string_view p :
       {"node_filesystem_size_bytes{", "node_filesystem_files{", "node_filesystem_readonly{",
        "node_filesystem_device_error{", "node_disk_info{", "node_netstat_Ip_Forwarding{"}) {
    if (key.substr(0, p.size()) == p) return true;
  }
  return false;
}

bool Counter(std::string_view key) {
  std::string_view name = key.substr(0, key.find('{'));
  return name.ends_with("_total");
}

void CompareWithNodeExporter(const HostConfig& config) {
  std::map<std::string, double> theirs;
  {
    NodeExporter ne(config);
    std::string body = ne.Scrape();
    ASSERT_FALSE(body.empty()) << "no answer from " << kNodeExporter;
    size_t start = 0;
    while (start < body.size()) {
      size_t nl = body.find('\n', start);
      if (nl == std::string::npos) nl = body.size();
      std::string key;
      double value;
      if (ParseSampleLine(std::string_view(body).substr(start, nl - start), &key, &value) && Ours(key)) {
        theirs[key] = value;
      }
      start = nl + 1;
    }
  }
  std::map<std::string, double> ours;
  for (std::string_view name : kCollectors) {
    testing::Result r = testing::Run(DeviceCollectors(), name, config);
    EXPECT_TRUE(r.status.ok() || r.status.code() == StatusCode::kNotFound)
        << name << ": " << r.status.ToString();
    ours.insert(r.samples.begin(), r.samples.end());
  }
  // Any Linux host has the netstat and sockstat files: the comparison is never empty.
  size_t netstat = 0, sockstat = 0;
  for (const auto& [key, value] : theirs) {
    netstat += key.starts_with("node_netstat_");
    sockstat += key.starts_with("node_sockstat_");
  }
  ASSERT_GT(netstat, 0u);
  ASSERT_GT(sockstat, 0u);
  std::cerr << "compared " << theirs.size() << " node_exporter series with " << ours.size() << " of ours\n";
  for (const auto& [key, value] : theirs) {
    auto it = ours.find(key);
    if (it == ours.end()) {
      ADD_FAILURE() << "node_exporter has " << key << ", we do not";
      continue;
    }
    if (Stable(key)) {
      EXPECT_EQ(it->second, value) << key;
    } else if (Counter(key)) {
      EXPECT_GE(it->second, value) << key;
    }
  }
  for (const auto& [key, value] : ours) {
    if (theirs.count(key) == 0) ADD_FAILURE() << "we have " << key << ", node_exporter does not";
  }
}

TEST(NodeExporterCompatTest, SameSeriesAndValuesWithUpstreamDefaults) {
  if (access(kNodeExporter, X_OK) != 0) GTEST_SKIP() << kNodeExporter << " is not installed";
  CompareWithNodeExporter(HostConfig{});
}

// Debian's package changes two defaults (/run, /mnt, /media and lo excluded).
TEST(NodeExporterCompatTest, SameSeriesAndValuesWithDebianPackageDefaults) {
  if (access(kNodeExporter, X_OK) != 0) GTEST_SKIP() << kNodeExporter << " is not installed";
  HostConfig config;
  config.mount_points_exclude =
      "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
  config.netdev_device_exclude = "^lo$";
  CompareWithNodeExporter(config);
}

}  // namespace
}  // namespace cistern::plugins::host
