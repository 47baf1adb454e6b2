// [inputs.container]: cAdvisor-compatible container_* metrics from cgroups
// (v2, or v1 per-controller hierarchies) for the root cgroup and every cgroup
// below it, named from the runtimes' cgroup conventions and, when a Docker
// (or Podman) API socket is there, from the engine. The collection runs on a
// worker thread (container_collector.h); README.md lists every metric.
#include "agent/obs/log.h"
#include "agent/plugin/plugin.h"
#include "plugins/container/container_collector.h"

namespace cistern::plugins::container {
namespace {

class ContainerInput : public plugin::BlockingInput {
 public:
  ContainerInput(plugin::Context& ctx, std::unique_ptr<ContainerCollector> collector)
      : BlockingInput(ctx.loop()), ctx_(ctx), collector_(std::move(collector)) {}

  Status CollectBlocking(int64_t timestamp_ms, storage::Appender& appender) override {
    host::Emitter out(&appender, timestamp_ms);
    Status s = collector_->Collect(out, timestamp_ms);
    if (!out.status().ok()) return out.status();
    uint64_t suppressed = 0;
    if (!s.ok() && log_.Allow(&suppressed)) obs::Warn(ctx_.log_component(), "{}", s.message());
    return s;
  }

 private:
  plugin::Context& ctx_;
  std::unique_ptr<ContainerCollector> collector_;
  obs::RateLimiter log_{5, 60000};
};

StatusOr<std::unique_ptr<plugin::Input>> Create(plugin::Context& ctx) {
  const config::Options& o = ctx.options();
  ContainerConfig c;
  c.cgroupfs = o.GetString("cgroupfs");
  c.procfs = o.GetString("procfs");
  c.docker_socket = o.GetString("docker_socket");
  c.docker_timeout = o.GetDuration("docker_timeout");
  c.container_labels = o.GetStringList("container_labels");
  c.containers_only = o.GetBool("containers_only");
  c.max_depth = static_cast<int>(o.GetInt("max_depth"));
  c.exclude = o.GetString("exclude");
  c.per_cpu = o.GetBool("per_cpu");
  c.log_component = ctx.log_component();
  auto collector = ContainerCollector::Create(std::move(c));
  if (!collector.ok()) return collector.status().Annotate("inputs." + ctx.id());
  return std::unique_ptr<plugin::Input>(std::make_unique<ContainerInput>(ctx, std::move(*collector)));
}

}  // namespace

plugin::Descriptor Describe() {
  plugin::Descriptor d;
  d.name = "container";
  d.doc =
      "Container metrics from cgroups v2/v1, cAdvisor-compatible (cpu, memory, block I/O, network, limits).";
  d.default_job = "cadvisor";
  using config::FieldType;
  d.schema = {
      {"cgroupfs", FieldType::kString, "\"/sys/fs/cgroup\"",
       "cgroup mount point (v2, or the parent of the v1 controllers)"},
      {"procfs", FieldType::kString, "\"/proc\"",
       "procfs mount point, for /proc/<pid>/net/dev of member tasks"},
      {"docker_socket", FieldType::kString, "\"/var/run/docker.sock\"",
       "Docker (or Podman) API socket for names, images and labels; \"\" disables"},
      {"docker_timeout", FieldType::kDuration, "1s", "deadline of one Docker API request", false, 1, 60000},
      {"container_labels", FieldType::kStringList,
       "[\"com.docker.compose.project\", \"com.docker.compose.service\"]",
       "Docker labels exported as container_label_<key>"},
      {"containers_only", FieldType::kBool, "false",
       "report only the root cgroup and containers (cAdvisor's --docker_only)"},
      {"max_depth", FieldType::kInt, "0", "walk at most this many levels below the root; 0 = all", false, 0,
       64},
      {"exclude", FieldType::kString, "\"\"",
       "RE2: cgroup paths (the id label) not to report, partial match"},
      {"per_cpu", FieldType::kBool, "false",
       "v1: container_cpu_usage_seconds_total per CPU (cpu=\"cpu00\"...) instead of cpu=\"total\""},
  };
  d.create = Create;
  return d;
}

}  // namespace cistern::plugins::container
