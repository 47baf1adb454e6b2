// Turns the URL a beacon is about into a `page` label of bounded
// cardinality: a route, not a URL.
//
//   https://shop.example.com/products/12345?ref=mail#top  ->  /products/:id
//   /orders/3f2b8c1e-9d4a-4c1e-8a7b-2f9e6d5c4b3a/items/   ->  /orders/:id/items
//   /blog/how-to-use-react-18 with route "/blog/:slug"    ->  /blog/:slug
//
// Rules, in order: the scheme and authority, the query and the fragment are
// dropped; empty segments are dropped (so "//" and a trailing "/" disappear);
// the first configured route pattern that matches wins and is the label
// itself; otherwise each segment that looks like an identifier becomes ":id":
// digits (with - _ . , : separators, so dates and versions too), a UUID, a
// hex string of 8+ characters with a digit, a letters-and-digits token of 16+
// characters with both, anything longer than 64 bytes, and anything that is
// not valid UTF-8 or holds control characters. Past 16 segments the rest is
// "*". URLs with an opaque scheme (about:blank, data:...) and empty input give
// "unknown".
//
// Route patterns: "/"-separated; a segment is literal, ":name" (any one
// segment) or a final "*" (the rest, possibly empty). Immutable after
// Create(); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace cistern::plugins::webvitals {

inline constexpr std::string_view kUnknownPage = "unknown";

class PageNormalizer {
 public:
  // InvalidArgument naming the bad pattern: "routes[1]: \"blog/:slug\": must start with \"/\"".
  static StatusOr<PageNormalizer> Create(const std::vector<std::string>& routes);
  PageNormalizer() = default;

  std::string Normalize(std::string_view url) const;

 private:
  struct Route {
    std::string label;                  // the pattern as the label ("/blog/:slug")
    std::vector<std::string> segments;  // literal, ":x" or "*" (last only)
  };
  std::vector<Route> routes_;
};

// Exposed for tests: true if `segment` is replaced by ":id".
bool LooksLikeId(std::string_view segment);

}  // namespace cistern::plugins::webvitals
