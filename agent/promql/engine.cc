#include "agent/promql/engine.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "agent/promql/eval.h"
#include "agent/promql/parser.h"

namespace cistern::promql {

// A counting semaphore that waits until a deadline: --query.max-concurrency.
struct Engine::Slots {
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;
  int queued = 0;
};

namespace {

// The time range a query reads, for the Querier (Prometheus' FindMinMaxTime).
struct TimeRange {
  int64_t mint = storage::kMaxTime;
  int64_t maxt = storage::kMinTime;
  void Add(int64_t lo, int64_t hi) {
    mint = std::min(mint, lo);
    maxt = std::max(maxt, hi);
  }
};

int64_t AtTime(const AtModifier& at, int64_t query_start, int64_t query_end) {
  switch (at.kind) {
    case AtKind::kStart: return query_start;
    case AtKind::kEnd: return query_end;
    default: return at.timestamp_ms;
  }
}

void WalkTimes(const Expr& e, int64_t start, int64_t end, int64_t lookback, int64_t qs, int64_t qe, TimeRange* r) {
  auto selector = [&](const VectorSelector& vs, int64_t range) {
    int64_t s = start, en = end;
    if (vs.at.kind != AtKind::kNone) s = en = AtTime(vs.at, qs, qe);
    r->Add(internal::SatSub(internal::SatSub(s, vs.offset_ms), range > 0 ? range : lookback),
           internal::SatSub(en, vs.offset_ms));
  };
  if (const auto* vs = e.As<VectorSelector>()) return selector(*vs, 0);
  if (const auto* ms = e.As<MatrixSelector>()) return selector(ms->selector(), ms->range_ms);
  if (const auto* sq = e.As<SubqueryExpr>()) {
    int64_t s = start, en = end;
    if (sq->at.kind != AtKind::kNone) s = en = AtTime(sq->at, qs, qe);
    return WalkTimes(*sq->expr, internal::SatSub(internal::SatSub(s, sq->offset_ms), sq->range_ms),
                     internal::SatSub(en, sq->offset_ms), lookback, qs, qe, r);
  }
  if (const auto* p = e.As<ParenExpr>()) return WalkTimes(*p->expr, start, end, lookback, qs, qe, r);
  if (const auto* u = e.As<UnaryExpr>()) return WalkTimes(*u->expr, start, end, lookback, qs, qe, r);
  if (const auto* b = e.As<BinaryExpr>()) {
    WalkTimes(*b->lhs, start, end, lookback, qs, qe, r);
    return WalkTimes(*b->rhs, start, end, lookback, qs, qe, r);
  }
  if (const auto* c = e.As<Call>()) {
    for (const ExprPtr& a : c->args) WalkTimes(*a, start, end, lookback, qs, qe, r);
    return;
  }
  if (const auto* a = e.As<AggregateExpr>()) {
    if (a->param != nullptr) WalkTimes(*a->param, start, end, lookback, qs, qe, r);
    WalkTimes(*a->expr, start, end, lookback, qs, qe, r);
  }
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(options), slots_(std::make_unique<Slots>()) {}
Engine::~Engine() = default;

int Engine::active() const {
  std::lock_guard<std::mutex> l(slots_->mu);
  return slots_->active;
}

int Engine::queued() const {
  std::lock_guard<std::mutex> l(slots_->mu);
  return slots_->queued;
}

namespace {

struct SlotGuard {
  Engine::Slots* s;
  ~SlotGuard() {
    {
      std::lock_guard<std::mutex> l(s->mu);
      --s->active;
    }
    s->cv.notify_one();
  }
};

// `query_end` is the request's end (what `@ end()` means), which may lie
// after the grid's last step.
StatusOr<internal::Result> Run(Engine::Slots* slots, const EngineOptions& eo, storage::Queryable& store,
                               const Expr& expr, const internal::Grid& grid, int64_t query_end,
                               const QueryOptions& opts, std::vector<std::string>* warnings, int64_t* peak) {
  const int64_t timeout = opts.timeout_ms > 0 ? opts.timeout_ms : eo.timeout_ms;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
  {
    std::unique_lock<std::mutex> l(slots->mu);
    ++slots->queued;
    bool ok = slots->cv.wait_until(l, deadline, [&] {
      return slots->active < std::max(1, eo.max_concurrent) ||
             (opts.cancel != nullptr && opts.cancel->load());
    });
    --slots->queued;
    if (opts.cancel != nullptr && opts.cancel->load()) return CancelledError("query was canceled in queue");
    if (!ok) return DeadlineExceededError("query timed out in query queue");
    ++slots->active;
  }
  SlotGuard guard{slots};
  const int64_t lookback = opts.lookback_delta_ms > 0 ? opts.lookback_delta_ms : eo.lookback_delta_ms;
  TimeRange tr;
  WalkTimes(expr, grid.start, grid.end, lookback, grid.start, query_end, &tr);
  if (tr.mint > tr.maxt) tr.mint = tr.maxt = grid.start;
  CISTERN_ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> querier, store.NewQuerier(tr.mint, tr.maxt));
  internal::EvalOptions o;
  o.lookback_ms = lookback;
  o.max_samples = eo.max_samples;
  o.default_subquery_step_ms = eo.default_subquery_step_ms;
  o.deadline = deadline;
  o.cancel = opts.cancel;
  internal::Evaluator ev(querier.get(), o, grid.start, query_end);
  StatusOr<internal::Result> r = ev.Eval(expr, grid);
  *warnings = ev.TakeWarnings();
  *peak = ev.peak_samples();
  Status closed = querier->Close();
  if (r.ok() && !closed.ok()) return closed;
  return r;
}

}  // namespace

StatusOr<QueryResult> Engine::Instant(storage::Queryable& store, const Expr& expr, int64_t ts_ms,
                                      const QueryOptions& opts) {
  internal::Grid grid{ts_ms, ts_ms, 1};
  QueryResult out;
  CISTERN_ASSIGN_OR_RETURN(internal::Result r,
                           Run(slots_.get(), options_, store, expr, grid, ts_ms, opts, &out.warnings, &out.samples_loaded));
  switch (r.type) {
    case ValueType::kScalar: out.value = ScalarValue{ts_ms, r.scalars[0]}; break;
    case ValueType::kString: out.value = StringValue{ts_ms, std::move(r.str)}; break;
    case ValueType::kMatrix: out.value = std::move(r.series); break;
    default: {
      Vector v;
      v.reserve(r.series.size());
      for (SeriesPoints& s : r.series) v.push_back(VSample{std::move(s.metric), ts_ms, s.points[0].v});
      out.value = std::move(v);
    }
  }
  return out;
}

StatusOr<QueryResult> Engine::Range(storage::Queryable& store, const Expr& expr, int64_t start_ms, int64_t end_ms,
                                    int64_t step_ms, const QueryOptions& opts) {
  if (expr.type != ValueType::kVector && expr.type != ValueType::kScalar)
    return InvalidArgumentError("invalid expression type \"" + std::string(DocumentedType(expr.type)) +
                                "\" for range query, must be Scalar or instant Vector");
  if (step_ms <= 0) return InvalidArgumentError("zero or negative query resolution step widths are not accepted");
  if (end_ms < start_ms) return InvalidArgumentError("end timestamp must not be before start time");
  if ((static_cast<uint64_t>(end_ms) - static_cast<uint64_t>(start_ms)) / static_cast<uint64_t>(step_ms) >=
      static_cast<uint64_t>(std::max<int64_t>(options_.max_samples, 1)))
    return ResourceExhaustedError("query processing would load too many samples into memory in query execution");
  internal::Grid grid{start_ms, start_ms + (end_ms - start_ms) / step_ms * step_ms, step_ms};
  QueryResult out;
  CISTERN_ASSIGN_OR_RETURN(internal::Result r,
                           Run(slots_.get(), options_, store, expr, grid, end_ms, opts, &out.warnings, &out.samples_loaded));
  Matrix m;
  if (r.type == ValueType::kScalar) {
    SeriesPoints s;
    s.points.reserve(r.scalars.size());
    for (int i = 0; i < grid.Steps(); ++i) s.points.push_back(FPoint{grid.Time(i), r.scalars[i]});
    m.push_back(std::move(s));
  } else {
    m = std::move(r.series);
    std::sort(m.begin(), m.end(), [](const SeriesPoints& a, const SeriesPoints& b) { return a.metric < b.metric; });
  }
  out.value = std::move(m);
  return out;
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

}  // namespace cistern::promql
