// The os collector, from <rootfs>/etc/os-release, else <rootfs>/usr/lib/os-release:
//   node_os_info{build_id,id,id_like,image_id,image_version,name,pretty_name,
//                variant,variant_id,version,version_codename,version_id} 1
//   node_os_version{id,id_like,name}  the leading major[.minor] of VERSION_ID
//                                     ("22.04" -> 22.04, "3.17.2" -> 3.17);
//                                     absent when VERSION_ID has none ("rolling")
// Keys the file does not set are empty (so absent) labels. Neither file:
// NotFound (node_exporter: "no data"). A label value that is not valid UTF-8
// fails the collector (node_exporter panics).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

// The KEY=value assignments of an os-release file with the rules of the
// parser node_exporter uses (hashicorp/go-envparse): blank and '#' lines
// skipped; "export " allowed before a key; keys start with [A-Za-z_] and go on
// with [A-Za-z0-9_./]; values may mix unquoted text (where '#' starts a
// comment), '...' (literal) and "..." (escapes \" \\ \n \t only); surrounding
// whitespace is dropped; control characters are an error; the last
// assignment of a key wins. A bad line is InvalidArgument "line N: ...". One
// deliberate difference: go-envparse cuts the last byte of a multi-byte
// character that ends an unquoted value before a comment ("aé # x"); we
// keep it. Pure.
StatusOr<std::map<std::string, std::string>> ParseOsRelease(std::string_view text);

// node_exporter's version regexp ^[0-9]+\.?[0-9]* applied to VERSION_ID, as a
// number; 0 when VERSION_ID does not start with a digit. Pure.
double OsVersion(std::string_view version_id);

std::unique_ptr<Collector> NewOsCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
