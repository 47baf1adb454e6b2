// Prometheus-compatible TSDB admin API, registered only when
// [http] enable_admin_api = true (otherwise the paths answer 404):
//   POST|PUT /api/v1/admin/tsdb/snapshot[?skip_head=true]
//     -> {"status":"success","data":{"name":"20261201T151500Z-..."}}
//        written to data_dir/snapshots/<name>/ (a valid data dir: restore by
//        starting a server on a copy of it).
// The work runs on the loop's thread pool. Loop thread only.
#pragma once

#include <functional>
#include <string>

#include "agent/base/status.h"
#include "agent/net/http_server.h"

namespace cistern::api {

struct AdminHandlers {
  // Thread-safe; called on a worker thread.
  std::function<StatusOr<std::string>(bool skip_head)> snapshot;
};

void RegisterAdminRoutes(net::HttpServer* server, uv_loop_t* loop, AdminHandlers handlers);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
bool ParseGoBool(std::string_view s, bool* out);

}  // namespace cistern::api
