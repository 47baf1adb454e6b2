#include "agent/promql/engine.h"

#include "agent/promql/parser.h"

namespace cistern::promql {

struct Engine::Slots {};

Engine::Engine(EngineOptions options) : options_(options), slots_(std::make_unique<Slots>()) {}
Engine::~Engine() = default;

StatusOr<QueryResult> Engine::Instant(storage::Queryable&, const Expr&, int64_t, const QueryOptions&) {
  return InternalError("engine: not implemented yet");
}
StatusOr<QueryResult> Engine::Range(storage::Queryable&, const Expr&, int64_t, int64_t, int64_t,
                                    const QueryOptions&) {
  return InternalError("engine: not implemented yet");
}
StatusOr<QueryResult> Engine::Instant(storage::Queryable& store, std::string_view query, int64_t ts_ms,
                                      const QueryOptions& opts) {
  CISTERN_ASSIGN_OR_RETURN(auto expr, ParseExpr(query));
  return Instant(store, *expr, ts_ms, opts);
}
StatusOr<QueryResult> Engine::Range(storage::Queryable& store, std::string_view query, int64_t start_ms,
                                    int64_t end_ms, int64_t step_ms, const QueryOptions& opts) {
  CISTERN_ASSIGN_OR_RETURN(auto expr, ParseExpr(query));
  return Range(store, *expr, start_ms, end_ms, step_ms, opts);
}
int Engine::active() const { return 0; }
int Engine::queued() const { return 0; }

}  // namespace cistern::promql
