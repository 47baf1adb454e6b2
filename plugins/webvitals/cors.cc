#include "plugins/webvitals/cors.h"

namespace cistern::plugins::webvitals {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '[' || c == ']' ||
         c == ':';
}

// "scheme://host[:port]" split into parts; false if it is not one.
bool SplitOrigin(std::string_view o, std::string* scheme, std::string* host, std::string* port) {
  size_t sep = o.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  *scheme = Lower(o.substr(0, sep));
  for (char c : *scheme) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return false;
  }
  std::string rest = Lower(o.substr(sep + 3));
  if (rest.empty()) return false;
  for (char c : rest) {
    if (!IsHostChar(c) && c != '*') return false;
  }
  size_t colon = rest.rfind(':');
  size_t bracket = rest.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    *host = rest.substr(0, colon);
    *port = rest.substr(colon);
    if (port->size() < 2) return false;
    for (size_t i = 1; i < port->size(); ++i) {
      if ((*port)[i] < '0' || (*port)[i] > '9') return false;
    }
  } else {
    *host = rest;
    port->clear();
  }
  return !host->empty();
}

// The default port is never in an Origin header.
void DropDefaultPort(const std::string& scheme, std::string* port) {
  if ((scheme == "https" && *port == ":443") || (scheme == "http" && *port == ":80")) port->clear();
}

}  // namespace

StatusOr<CorsPolicy> CorsPolicy::Create(const std::vector<std::string>& allowed) {
  CorsPolicy p;
  for (size_t i = 0; i < allowed.size(); ++i) {
    std::string_view entry = allowed[i];
    auto fail = [&](std::string_view why) {
      return InvalidArgumentError("allowed_origins[" + std::to_string(i) + "]: \"" + std::string(entry) +
                                  "\": " + std::string(why));
    };
    if (entry == "*") {
      p.any_ = true;
      continue;
    }
    if (!entry.empty() && entry.back() == '/') entry.remove_suffix(1);
    std::string scheme, host, port;
    if (!SplitOrigin(entry, &scheme, &host, &port)) {
      return fail(
          "expected an origin like \"https://www.example.com\", a wildcard like \"https://*.example.com\", "
          "or \"*\"");
    }
    DropDefaultPort(scheme, &port);
    if (host.find('*') != std::string::npos) {
      if (host.size() < 3 || host.substr(0, 2) != "*." || host.find('*', 1) != std::string::npos) {
        return fail("a wildcard must be the whole first label: \"https://*.example.com\"");
      }
      p.suffixes_.push_back({scheme, host.substr(1), port});
      continue;
    }
    p.exact_.push_back(scheme + "://" + host + port);
  }
  return p;
}

bool CorsPolicy::Allows(std::string_view origin) const {
  if (any_) return true;
  std::string scheme, host, port;
  if (!SplitOrigin(origin, &scheme, &host, &port) || host.find('*') != std::string::npos) return false;
  DropDefaultPort(scheme, &port);
  std::string canonical = scheme + "://" + host + port;
  for (const std::string& e : exact_) {
    if (e == canonical) return true;
  }
  for (const Suffix& s : suffixes_) {
    if (s.scheme != scheme || s.port != port) continue;
    if (host.size() > s.domain.size() &&
        host.compare(host.size() - s.domain.size(), s.domain.size(), s.domain) == 0) {
      return true;
    }
  }
  return false;
}

void CorsPolicy::AddResponseHeaders(std::string_view origin, net::HttpHeaders* h) {
  h->push_back({"Access-Control-Allow-Origin", std::string(origin)});
  h->push_back({"Access-Control-Allow-Credentials", "true"});
  h->push_back({"Vary", "Origin"});
}

void CorsPolicy::AddPreflightHeaders(std::string_view origin, const net::HttpHeaders& request,
                                     net::HttpHeaders* h) {
  AddResponseHeaders(origin, h);
  h->push_back({"Access-Control-Allow-Methods", "POST, OPTIONS"});
  // Echo the requested headers (token characters only): the handler reads none
  // but Content-Type, so any the page adds are harmless.
  std::string allow = "Content-Type";
  if (const std::string* req = net::FindHeader(request, "Access-Control-Request-Headers")) {
    std::string clean;
    for (char c : *req) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == ',' || c == ' ') {
        clean += c;
      }
    }
    if (!clean.empty() && clean.size() <= 1024) allow = clean;
  }
  h->push_back({"Access-Control-Allow-Headers", allow});
  h->push_back({"Access-Control-Max-Age", "86400"});
  if (const std::string* pna = net::FindHeader(request, "Access-Control-Request-Private-Network");
      pna && *pna == "true") {
    h->push_back({"Access-Control-Allow-Private-Network", "true"});
  }
}

}  // namespace cistern::plugins::webvitals
