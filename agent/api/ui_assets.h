// The built-in UI's files, embedded at build time: ui_assets.cc is generated
// by agent/api/ui/embed.py from the esbuild bundle (see agent/api/ui/ui.cmake).
// Immutable data; any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace cistern::api::ui_assets {

struct Asset {
  std::string_view name;          // "app.js" (served as /static/app.js), "index.html"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted strong ETag of `body`: "\"3f2a...\""
  std::string_view body;
  std::string_view gzip;  // the same, gzip-compressed; empty when that does not pay
};

extern const Asset kAssets[];
extern const size_t kAssetCount;

}  // namespace cistern::api::ui_assets
