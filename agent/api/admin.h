// Prometheus-compatible TSDB admin API, registered only when
// [http] enable_admin_api = true (otherwise the paths answer 404):
//   POST|PUT /api/v1/admin/tsdb/snapshot[?skip_head=true]
//     -> {"status":"success","data":{"name":"20261201T151500Z-..."}}
//        written to data_dir/snapshots/<name>/ (a valid data dir: restore by
//        starting a server on a copy of it).
//   POST|PUT /api/v1/admin/tsdb/delete_series?match[]=<selector>...[&start=&end=]
//     -> 204; tombstones for [start, end] (Unix seconds or RFC 3339, default
//        everything) of every series matching a selector: queries stop
//        returning the data at once. 400 bad_data without match[] ("no
//        match[] parameter provided"), for a bad selector or time.
//   POST|PUT /api/v1/admin/tsdb/clean_tombstones
//     -> 204; the blocks with tombstones rewritten without the deleted data.
// Store errors are 500 internal. Each route exists only when its handler is
// set. The work runs on the loop's thread pool. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/http_server.h"
#include "agent/storage/label_matcher.h"

namespace cistern::api {

struct AdminHandlers {
  // Thread-safe; called on a worker thread.
  std::function<StatusOr<std::string>(bool skip_head)> snapshot;
  // [start_ms, end_ms] inclusive; one matcher list per match[] (OR-ed).
  std::function<Status(int64_t start_ms, int64_t end_ms,
                       std::vector<std::vector<storage::LabelMatcher>> selectors)>
      delete_series;
  std::function<Status()> clean_tombstones;
};

void RegisterAdminRoutes(net::HttpServer* server, uv_loop_t* loop, AdminHandlers handlers);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
bool ParseGoBool(std::string_view s, bool* out);

}  // namespace cistern::api
