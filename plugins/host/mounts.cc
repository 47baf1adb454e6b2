#include "plugins/host/mounts.h"

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {

bool MountEntry::ReadOnly() const {
  std::string_view rest = options;
  while (true) {
    size_t comma = rest.find(',');
    if (rest.substr(0, comma) == "ro") return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

std::string UnescapeMountField(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) && octal(field[i + 2]) &&
        octal(field[i + 3])) {
      out +=
          static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

MountTable ParseMounts(std::string_view text) {
  MountTable t;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    if (f.size() < 4) {
      if (t.error.ok()) {
        t.error = DataLossError("line " + std::to_string(line_no) + ": expected at least 4 fields, got " +
                                std::to_string(f.size()));
      }
      continue;
    }
    t.mounts.push_back({std::string(f[0]), UnescapeMountField(f[1]), std::string(f[2]), std::string(f[3])});
  }
  return t;
}

}  // namespace cistern::plugins::host
