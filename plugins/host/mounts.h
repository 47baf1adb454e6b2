// ParseMounts: the mount table as /proc/<pid>/mounts prints it (fstab(5)
// layout: device, mount point, fs type, options, dump, pass). Pure,
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace cistern::plugins::host {

struct MountEntry {
  std::string device;       // as printed (node_exporter does not unescape it)
  std::string mount_point;  // octal escapes (\040 space, \011 tab, \012, \134) decoded
  std::string fs_type;
  std::string options;    // "rw,relatime,..."
  bool ReadOnly() const;  // options has an "ro" element
};

struct MountTable {
  std::vector<MountEntry> mounts;  // in file order
  Status error;                    // first malformed line ("line 3: ..."); the others are kept
};

MountTable ParseMounts(std::string_view text);

// Decodes the kernel's "\ooo" octal escapes (seq_escape / mangle).
std::string UnescapeMountField(std::string_view field);

}  // namespace cistern::plugins::host
