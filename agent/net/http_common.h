// Types shared by the HTTP server and client.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cistern::net {

struct HttpHeader {
  std::string name;
  std::string value;
};
using HttpHeaders = std::vector<HttpHeader>;

// ASCII case-insensitive equality (header names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// First header named `name` (case-insensitive), or nullptr.
const std::string* FindHeader(const HttpHeaders& headers, std::string_view name);

// Reason phrase for a status code ("Not Found"); "Unknown" if not known.
std::string_view StatusReason(int status);

// Decodes %XX and (if `plus_as_space`) '+' in a URL component. Returns false
// on a malformed escape.
bool PercentDecode(std::string_view in, bool plus_as_space, std::string* out);

// Parses an application/x-www-form-urlencoded string ("a=1&b=2&a=3") into
// ordered pairs; keys may repeat (match[]=...). Returns false if malformed.
bool ParseFormUrlEncoded(std::string_view in, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace cistern::net
