// The built-in UI: a single-page app (agent/api/ui/src) embedded in the
// binary, which talks to the server only through the public /api/v1/* API.
//   GET /                                        302 to /graph
//   GET /graph /alerts /rules /targets /status   index.html (Cache-Control: no-cache, ETag)
//   GET /static/NAME[?v=ETAG]                    the bundle's files with their Content-Type;
//                                                with the current ?v= (as index.html links
//                                                them) cached for a year, else revalidated
// Every answer has an ETag (If-None-Match -> 304), is gzip-encoded when the
// client accepts it, and carries a Content-Security-Policy that allows only
// this origin: no CDN, no other network.
#pragma once

#include <string_view>

#include "agent/net/http_server.h"

namespace cistern::api {

// Loop thread; `server` must outlive nothing here (the assets are static).
void RegisterUiRoutes(net::HttpServer* server);

// The UI's pages (what "/" and the nav link to), for logs and tests.
inline constexpr std::string_view kUiPages[] = {"graph", "alerts", "rules", "targets", "status"};

}  // namespace cistern::api
