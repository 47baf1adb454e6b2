// CORS for the beacon endpoint. `allowed_origins` entries:
//   "https://www.example.com"    exact origin (scheme, host, and port if not the default)
//   "https://*.example.com"      any subdomain, at any depth, of example.com (not example.com itself)
//   "*"                          any origin
// Scheme and host compare case-insensitively; a trailing "/" is tolerated.
// Allowed origins get their origin echoed in Access-Control-Allow-Origin with
// Access-Control-Allow-Credentials: true (sendBeacon sends credentials, so
// "*" would be refused by the browser), Vary: Origin. Immutable after
// Create(); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/http_common.h"

namespace cistern::plugins::webvitals {

class CorsPolicy {
 public:
  // InvalidArgument naming the bad entry: "allowed_origins[0]: \"example.com\": ...".
  static StatusOr<CorsPolicy> Create(const std::vector<std::string>& allowed_origins);
  CorsPolicy() = default;

  // `origin`: the Origin header's value.
  bool Allows(std::string_view origin) const;
  bool empty() const { return !any_ && exact_.empty() && suffixes_.empty(); }

  // Headers of a response to an allowed origin.
  static void AddResponseHeaders(std::string_view origin, net::HttpHeaders* headers);
  // Headers of a preflight answer to an allowed origin: the above, plus
  // methods, the requested headers, max-age, private-network access.
  static void AddPreflightHeaders(std::string_view origin, const net::HttpHeaders& request,
                                  net::HttpHeaders* headers);

 private:
  bool any_ = false;
  std::vector<std::string> exact_;  // "https://www.example.com:8443", lower-case
  struct Suffix {
    std::string scheme;  // "https"
    std::string domain;  // ".example.com"
    std::string port;    // ":8443" or ""
  };
  std::vector<Suffix> suffixes_;
};

}  // namespace cistern::plugins::webvitals
