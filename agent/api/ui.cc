#include "agent/api/ui.h"

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>

#include "agent/api/ui_assets.h"

namespace cistern::api {
namespace {

using ui_assets::Asset;

constexpr std::string_view kCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const Asset* Find(std::string_view name) {
  for (size_t i = 0; i < ui_assets::kAssetCount; ++i) {
    if (ui_assets::kAssets[i].name == name) return &ui_assets::kAssets[i];
  }
  return nullptr;
}

// RFC 9110 12.5.3: "gzip" (or else "*") listed with a q-value above 0.
bool AcceptsGzip(const net::HttpRequest& req) {
  const std::string* ae = req.Header("Accept-Encoding");
  if (ae == nullptr) return false;
  std::optional<bool> gzip, star;
  for (std::string_view list = *ae; !list.empty();) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    size_t semi = item.find(';');
    std::string coding(Trim(item.substr(0, semi)));
    for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    double q = 1;
    if (semi != std::string_view::npos) {
      std::string_view params = Trim(item.substr(semi + 1));
      if (params.size() > 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
        q = std::strtod(std::string(params.substr(2)).c_str(), nullptr);
      }
    }
    if (coding == "gzip") gzip = q > 0;
    if (coding == "*") star = q > 0;
  }
  return gzip.value_or(star.value_or(false));
}

// Does an If-None-Match list name `etag` (or "*")? Weak comparison, as RFC 9110 says for GET.
bool Matches(const std::string* inm, std::string_view etag) {
  if (inm == nullptr) return false;
  std::string_view list = *inm;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view tag = Trim(list.substr(0, comma));
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The value of parameter `key` in a raw query string ("" if absent).
std::string_view QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    if (kv.size() > key.size() && kv.substr(0, key.size()) == key && kv[key.size()] == '=') {
      return kv.substr(key.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

void Serve(const Asset& a, const net::HttpRequest& req, std::string_view cache_control,
           const net::Responder& respond) {
  bool gzip = !a.gzip.empty() && AcceptsGzip(req);
  // One strong ETag per representation: the gzip bytes differ from the plain ones.
  std::string etag(a.etag);
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  net::HttpResponse r;
  r.headers.push_back({"ETag", etag});
  r.headers.push_back({"Cache-Control", std::string(cache_control)});
  r.headers.push_back({"Vary", "Accept-Encoding"});
  if (Matches(req.Header("If-None-Match"), etag)) {
    r.status = 304;
    respond(std::move(r));
    return;
  }
  r.headers.push_back({"Content-Type", std::string(a.content_type)});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  if (a.name == "index.html") r.headers.push_back({"Content-Security-Policy", std::string(kCsp)});
  if (gzip) r.headers.push_back({"Content-Encoding", "gzip"});
  r.body = std::string(gzip ? a.gzip : a.body);
  respond(std::move(r));
}

}  // namespace

void RegisterUiRoutes(net::HttpServer* server) {
  server->Route(
      "/", {"GET"},
      [](net::HttpRequest, net::Responder respond) {
        net::HttpResponse r;
        r.status = 302;
        r.headers.push_back({"Location", "/graph"});
        r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
        r.body = "Found: /graph\n";
        respond(std::move(r));
      },
      "/");
  for (std::string_view page : kUiPages) {
    server->Route(
        "/" + std::string(page), {"GET"},
        [](net::HttpRequest req, net::Responder respond) {
          const Asset* index = Find("index.html");
          if (index == nullptr) {
            respond(net::HttpResponse::Text(404, "this build has no UI\n"));
            return;
          }
          Serve(*index, req, "no-cache", respond);
        },
        "/ui");
  }
  server->RoutePrefix(
      "/static/", {"GET"},
      [](net::HttpRequest req, net::Responder respond) {
        std::string_view name = std::string_view(req.path).substr(sizeof("/static/") - 1);
        const Asset* a = name == "index.html" ? nullptr : Find(name);
        if (a == nullptr) {
          respond(net::HttpResponse::Text(404, "404 page not found\n"));
          return;
        }
        // index.html links "/static/NAME?v=<etag>": that exact URL never changes content.
        std::string_view v = QueryParam(req.query, "v");
        bool versioned = !v.empty() && a->etag.size() > 2 && v == a->etag.substr(1, a->etag.size() - 2);
        Serve(*a, req, versioned ? "public, max-age=31536000, immutable" : "no-cache", respond);
      },
      "/static");
}

}  // namespace cistern::api
