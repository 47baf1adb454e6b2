#include "agent/storage/append_error.h"

#include <string>

namespace cistern::storage {

std::string_view RejectionMessage(Rejection r) {
  switch (r) {
    case Rejection::kOutOfBounds:
      return "out of bounds";
    case Rejection::kOutOfOrder:
      return "out of order sample";
    case Rejection::kTooOld:
      return "too old sample";
    case Rejection::kDuplicate:
      return "duplicate sample for timestamp";
  }
  return "rejected";
}

std::string_view RejectionReasonLabel(Rejection r) {
  switch (r) {
    case Rejection::kOutOfBounds:
    case Rejection::kTooOld:
      return "out_of_bounds";
    case Rejection::kOutOfOrder:
      return "out_of_order";
    case Rejection::kDuplicate:
      return "duplicate";
  }
  return "unknown";
}

Status RejectionError(Rejection r, std::string_view detail) {
  std::string msg(RejectionMessage(r));
  if (!detail.empty()) {
    msg += ": ";
    msg += detail;
  }
  return InvalidArgumentError(std::move(msg));
}

std::optional<Rejection> RejectionOf(const Status& s) {
  if (s.code() != StatusCode::kInvalidArgument) return std::nullopt;
  const std::string& m = s.message();
  for (Rejection r :
       {Rejection::kOutOfBounds, Rejection::kOutOfOrder, Rejection::kTooOld, Rejection::kDuplicate}) {
    std::string_view want = RejectionMessage(r);
    if (m.size() >= want.size() && std::string_view(m).substr(0, want.size()) == want &&
        (m.size() == want.size() || m[want.size()] == ':')) {
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace cistern::storage
