#include "plugins/host/netclass.h"

#include <charconv>
#include <cstdint>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

constexpr std::array<std::string_view, kNetClassTexts> kTextFiles = {
    "address", "broadcast", "duplex", "ifalias", "operstate",
};

struct NumberAttribute {
  std::string_view file;
  std::string_view metric;
};

constexpr std::array<NumberAttribute, kNetClassNumbers> kNumbers = {{
    {"addr_assign_type", "node_network_address_assign_type"},
    {"carrier", "node_network_carrier"},
    {"carrier_changes", "node_network_carrier_changes_total"},
    {"carrier_up_count", "node_network_carrier_up_changes_total"},
    {"carrier_down_count", "node_network_carrier_down_changes_total"},
    {"dev_id", "node_network_device_id"},
    {"dormant", "node_network_dormant"},
    {"flags", "node_network_flags"},
    {"ifindex", "node_network_iface_id"},
    {"iflink", "node_network_iface_link"},
    {"link_mode", "node_network_iface_link_mode"},
    {"mtu", "node_network_mtu_bytes"},
    {"name_assign_type", "node_network_name_assign_type"},
    {"netdev_group", "node_network_net_dev_group"},
    {"speed", "node_network_speed_bytes"},
    {"tx_queue_len", "node_network_transmit_queue_length"},
    {"type", "node_network_protocol_type"},
}};
constexpr size_t kSpeed = 14;
static_assert(kNumbers[kSpeed].file == "speed");

constexpr std::array<std::string_view, kNetClassNumbers> NumberFiles() {
  std::array<std::string_view, kNetClassNumbers> out{};
  for (size_t i = 0; i < kNetClassNumbers; ++i) out[i] = kNumbers[i].file;
  return out;
}
constexpr std::array<std::string_view, kNetClassNumbers> kNumberFiles = NumberFiles();

// Mb/s -> bytes/s in int64 as node_exporter computes it (speed*1000*1000/8,
// wrapping on overflow like Go).
int64_t SpeedBytes(int64_t mbps) {
  return static_cast<int64_t>(static_cast<uint64_t>(mbps) * 1000u * 1000u) / 8;
}

std::string_view Text(const NetClassDevice& d, NetClassText t) { return d.texts[static_cast<size_t>(t)]; }

class NetClassCollector : public Collector {
 public:
  explicit NetClassCollector(const HostConfig& config) : dir_(config.Sys("class/net")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNetClassDevices(dir_));
    Status first;
    auto note = [&first](Status s) {
      if (first.ok()) first = std::move(s);
    };
    for (const std::string& name : names) {
      NetClassDevice d;
      d.name = name;
      const std::string base = dir_ + "/" + name + "/";
      bool exists = false;  // some attribute could be read: the device is still there
      for (size_t i = 0; i < kNetClassTexts; ++i) {
        auto v = ReadNetClassAttribute(base + std::string(kTextFiles[i]));
        if (!v.ok()) {
          note(v.status());
        } else if (v->has_value()) {
          d.texts[i] = std::move(**v);
          exists = true;
        }
      }
      for (size_t i = 0; i < kNetClassNumbers; ++i) {
        const std::string path = base + std::string(kNumbers[i].file);
        auto v = ReadNetClassAttribute(path);
        if (!v.ok()) {
          note(v.status());
          continue;
        }
        if (!v->has_value()) continue;
        exists = true;
        int64_t n;
        if (ParseNetClassNumber(**v, &n)) {
          d.numbers[i] = n;
        } else {
          note(InvalidArgumentError(path + ": not a number: \"" + **v + "\""));
        }
      }
      if (exists) EmitNetClassDevice(d, out);
    }
    return first;
  }

 private:
  const std::string dir_;
};

}  // namespace

const std::array<std::string_view, kNetClassNumbers>& NetClassNumberFiles() { return kNumberFiles; }

bool ParseNetClassNumber(std::string_view s, int64_t* out) {
  // strconv.ParseInt(s, 0, 64) for the forms sysfs prints: a sign, then "0x"
  // and hexadecimal digits, a leading 0 and octal digits, or decimal digits.
  // (Go's 0o, 0b and '_' forms are not accepted.)
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  int base = 10;
  if (s.size() >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  uint64_t magnitude;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
  if (magnitude > kMax + (negative ? 1 : 0)) return false;
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

void EmitNetClassDevice(const NetClassDevice& d, Emitter& out) {
  out.Add("node_network_up", {{"device", d.name}}, Text(d, NetClassText::kOperState) == "up" ? 1 : 0);
  out.Add("node_network_info",
          {{"device", d.name},
           {"address", Text(d, NetClassText::kAddress)},
           {"broadcast", Text(d, NetClassText::kBroadcast)},
           {"duplex", Text(d, NetClassText::kDuplex)},
           {"ifalias", Text(d, NetClassText::kIfAlias)},
           {"operstate", Text(d, NetClassText::kOperState)}},
          1);
  for (size_t i = 0; i < kNetClassNumbers; ++i) {
    if (!d.numbers[i]) continue;
    int64_t v = i == kSpeed ? SpeedBytes(*d.numbers[i]) : *d.numbers[i];
    out.Add(kNumbers[i].metric, {{"device", d.name}}, static_cast<double>(v));
  }
}

std::unique_ptr<Collector> NewNetClassCollector(const HostConfig& config) {
  return std::make_unique<NetClassCollector>(config);
}

}  // namespace cistern::plugins::host
