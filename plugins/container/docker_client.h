// A minimal blocking client for the Docker Engine API over its unix socket
// (/var/run/docker.sock; Podman's /run/podman/podman.sock answers the same
// requests): one HTTP/1.0 GET per call, one connection each, bounded by a
// deadline. Meant for the container input's worker thread, which may block.
// Thread-compatible: DockerGet keeps no state.
#pragma once

#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/base/units.h"

namespace cistern::plugins::container {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Parses a complete HTTP/1.x response (status line, headers, body framed by
// Content-Length, chunked transfer coding, or the end of the connection).
// InvalidArgument when it is not one.
StatusOr<HttpResponse> ParseHttpResponse(std::string_view raw);

// GET `target` ("/containers/<id>/json") from the API at unix socket
// `socket_path`. Errors: NotFound when the socket does not exist or nobody
// listens on it (no engine here: normal), DeadlineExceeded past `timeout`,
// Unavailable for other I/O errors, InvalidArgument for a malformed
// response. An HTTP error status is returned as a response, not an error.
StatusOr<HttpResponse> DockerGet(const std::string& socket_path, std::string_view target, Duration timeout);

}  // namespace cistern::plugins::container
