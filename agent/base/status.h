// Status and StatusOr<T>: the error vocabulary of every Cistern library.
//
// A Status is either OK or carries a code from a small fixed set plus a
// lower-case message that leads with where the problem is
// ("wal: segment 00000012 offset 4096: checksum mismatch"). Cheap to pass
// around when OK (no allocation). Thread-compatible value type.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cistern {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // bad input or config
  kNotFound,
  kDataLoss,            // corruption
  kUnavailable,         // transient: retry
  kResourceExhausted,   // disk full, limits, 429 (may carry retry-after)
  kDeadlineExceeded,
  kCancelled,           // shutdown
  kFailedPrecondition,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // For kResourceExhausted / kUnavailable: how long the peer asked us to wait.
  std::optional<int64_t> retry_after_ms() const {
    return rep_ ? rep_->retry_after_ms : std::nullopt;
  }
  Status& WithRetryAfterMs(int64_t ms);

  // Returns a copy whose message is "prefix: message" (code kept).
  Status Annotate(std::string_view prefix) const;

  // "invalid_argument: message", or "ok".
  std::string ToString() const;

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  // Explicitly discards a status (documents that ignoring it is intended).
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::optional<int64_t> retry_after_ms;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status DataLossError(std::string message);
Status UnavailableError(std::string message);
Status ResourceExhaustedError(std::string message);
Status DeadlineExceededError(std::string message);
Status CancelledError(std::string message);
Status FailedPreconditionError(std::string message);
Status InternalError(std::string message);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design
  StatusOr(T value) : v_(std::move(value)) {}          // NOLINT
  template <typename U,
            typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, T>>>
  StatusOr(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

namespace internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const StatusOr<T>& s) { return s.status(); }
}  // namespace internal

}  // namespace cistern

#define CISTERN_CONCAT_INNER_(a, b) a##b
#define CISTERN_CONCAT_(a, b) CISTERN_CONCAT_INNER_(a, b)

#define CISTERN_RETURN_IF_ERROR(expr)                                     \
  do {                                                                    \
    ::cistern::Status cistern_status_ = ::cistern::internal::AsStatus(expr); \
    if (!cistern_status_.ok()) return cistern_status_;                    \
  } while (0)

#define CISTERN_ASSIGN_OR_RETURN(lhs, expr) \
  CISTERN_ASSIGN_OR_RETURN_IMPL_(CISTERN_CONCAT_(cistern_statusor_, __LINE__), lhs, expr)

#define CISTERN_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                                   \
  if (!var.ok()) return var.status();                  \
  lhs = std::move(var).value()
