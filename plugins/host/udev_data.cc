#include "plugins/host/udev_data.h"

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {

UdevProperties ParseUdevData(std::string_view text) {
  UdevProperties out;
  for (std::string_view line : Lines(text)) {
    if (line.substr(0, 2) != "E:") continue;
    line.remove_prefix(2);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    out.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return out;
}

}  // namespace cistern::plugins::host
