// [inputs.host]: node_exporter-compatible host metrics. Runs node_exporter's
// default collectors (collector.h) on a worker thread every interval, and
// like node_exporter reports each collector's outcome as
// node_scrape_collector_success{collector} and
// node_scrape_collector_duration_seconds{collector}.
#include <chrono>
#include <set>

#include "agent/obs/log.h"
#include "agent/plugin/plugin.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {
namespace {

struct Running {
  std::string_view name;
  std::unique_ptr<Collector> collector;
  obs::Counter* errors;
};

class HostInput : public plugin::BlockingInput {
 public:
  HostInput(plugin::Context& ctx, std::vector<Running> collectors)
      : BlockingInput(ctx.loop()), ctx_(ctx), collectors_(std::move(collectors)) {}

  Status CollectBlocking(int64_t timestamp_ms, storage::Appender& appender) override {
    Emitter out(&appender, timestamp_ms);
    Status first;
    size_t failed = 0;
    for (Running& r : collectors_) {
      auto start = std::chrono::steady_clock::now();
      Status s = r.collector->Collect(out);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      bool ok = s.ok();
      if (!ok && s.code() != StatusCode::kNotFound) {
        r.errors->Inc();
        ++failed;
        if (first.ok()) first = s.Annotate(std::string(r.name));
        uint64_t suppressed = 0;
        if (log_.Allow(&suppressed)) obs::Warn(ctx_.log_component(), "collector {}: {}", r.name, s.message());
      }
      out.Add("node_scrape_collector_duration_seconds", {{"collector", r.name}}, secs);
      out.Add("node_scrape_collector_success", {{"collector", r.name}}, ok ? 1 : 0);
    }
    if (!out.status().ok()) return out.status();
    if (failed > 1) return first.Annotate(std::to_string(failed) + " collectors failed");
    return first;
  }

 private:
  plugin::Context& ctx_;
  std::vector<Running> collectors_;
  obs::RateLimiter log_{5, 60000};
};

std::vector<const CollectorInfo*> AllCollectors() {
  std::vector<const CollectorInfo*> out;
  for (const CollectorInfo& c : SystemCollectors()) out.push_back(&c);
  for (const CollectorInfo& c : DeviceCollectors()) out.push_back(&c);
  return out;
}

StatusOr<std::unique_ptr<plugin::Input>> Create(plugin::Context& ctx) {
  const config::Options& o = ctx.options();
  HostConfig c;
  c.proc = o.GetString("procfs");
  c.sys = o.GetString("sysfs");
  c.root = o.GetString("rootfs");
  if (o.Has("mount_points_exclude")) c.mount_points_exclude = o.GetString("mount_points_exclude");
  if (o.Has("fs_types_exclude")) c.fs_types_exclude = o.GetString("fs_types_exclude");
  if (o.Has("disk_device_exclude")) c.disk_device_exclude = o.GetString("disk_device_exclude");
  if (o.Has("netdev_device_exclude")) c.netdev_device_exclude = o.GetString("netdev_device_exclude");

  std::vector<const CollectorInfo*> all = AllCollectors();
  std::set<std::string, std::less<>> wanted, excluded;
  for (const std::string& n : o.GetStringList("collectors")) wanted.insert(n);
  for (const std::string& n : o.GetStringList("exclude_collectors")) excluded.insert(n);
  std::string known;
  for (const CollectorInfo* ci : all) known += (known.empty() ? "" : ", ") + std::string(ci->name);
  for (const auto* list : {&wanted, &excluded}) {
    for (const std::string& n : *list) {
      bool found = false;
      for (const CollectorInfo* ci : all) found |= ci->name == n;
      if (!found) {
        return InvalidArgumentError("inputs." + ctx.id() + ": unknown collector \"" + n + "\" (known: " + known + ")");
      }
    }
  }
  auto* errors = ctx.metrics().NewCounterFamily("cistern_host_collector_errors_total",
                                                "Host collections in which a collector failed, by collector.",
                                                {"input", "collector"});
  std::vector<Running> running;
  for (const CollectorInfo* ci : all) {
    bool on = wanted.empty() ? ci->enabled_by_default : wanted.count(ci->name) > 0;
    if (!on || excluded.count(ci->name) > 0) continue;
    running.push_back({ci->name, ci->create(c), errors->With({ctx.id(), std::string(ci->name)})});
  }
  return std::unique_ptr<plugin::Input>(std::make_unique<HostInput>(ctx, std::move(running)));
}

}  // namespace

plugin::Descriptor Describe() {
  plugin::Descriptor d;
  d.name = "host";
  d.doc = "Host metrics, node_exporter-compatible (cpu, memory, filesystems, disks, network, ...).";
  d.default_job = "node";
  using config::FieldType;
  d.schema = {
      {"procfs", FieldType::kString, "\"/proc\"", "procfs mount point (a container with the host's /proc at /host/proc)"},
      {"sysfs", FieldType::kString, "\"/sys\"", "sysfs mount point"},
      {"rootfs", FieldType::kString, "\"/\"", "the host's root filesystem (mount points are reported relative to it)"},
      {"collectors", FieldType::kStringList, "[]", "collectors to run; [] = node_exporter's defaults"},
      {"exclude_collectors", FieldType::kStringList, "[]", "collectors not to run"},
      {"mount_points_exclude", FieldType::kString, "", "RE2: mount points the filesystem collector skips"},
      {"fs_types_exclude", FieldType::kString, "", "RE2: filesystem types the filesystem collector skips"},
      {"disk_device_exclude", FieldType::kString, "", "RE2: block devices the diskstats collector skips"},
      {"netdev_device_exclude", FieldType::kString, "", "RE2: network devices the netdev collector skips"},
  };
  d.create = Create;
  return d;
}

}  // namespace cistern::plugins::host
