#include "agent/promql/eval.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <utility>

#include "agent/model/sample.h"
#include "agent/promql/eval_functions.h"
#include "agent/promql/functions.h"

namespace cistern::promql::internal {
namespace {

Result ScalarResult(const Grid& grid, double v) {
  Result r;
  r.type = ValueType::kScalar;
  r.scalars.assign(grid.Steps(), v);
  return r;
}

// Labels of absent() / absent_over_time(): the selector's equality matchers,
// minus names that also occur in another matcher (Prometheus'
// createLabelsForAbsentFunction).
model::Labels AbsentLabels(const Expr& arg) {
  const Expr& e = UnwrapParens(arg);
  const VectorSelector* vs = e.As<VectorSelector>();
  if (const auto* ms = e.As<MatrixSelector>()) vs = &ms->selector();
  if (vs == nullptr) return {};
  model::LabelsBuilder b;
  std::vector<std::string> remove;
  for (const storage::LabelMatcher& m : vs->matchers) {
    if (m.name() == model::kMetricName) continue;
    if (m.type() == storage::MatchType::kEqual && b.Get(m.name()).empty()) {
      b.Set(m.name(), m.value());
    } else {
      remove.push_back(m.name());
    }
  }
  for (const std::string& n : remove) b.Del(n);
  return b.Build();
}

}  // namespace

int64_t Result::Points() const {
  int64_t n = 0;
  for (const SeriesPoints& s : series) n += static_cast<int64_t>(s.points.size());
  return n + static_cast<int64_t>(scalars.size());
}

model::Labels DropMetricName(const model::Labels& l) {
  if (!l.Has(model::kMetricName)) return l;
  std::vector<model::Label> out;
  out.reserve(l.size() - 1);
  for (const model::Label& x : l)
    if (x.name != model::kMetricName) out.push_back(x);
  return model::Labels::FromSorted(std::move(out));
}

const model::Labels* FindDuplicateLabelset(const Matrix& m) {
  if (m.size() < 2) return nullptr;
  std::vector<std::pair<uint64_t, size_t>> h;
  h.reserve(m.size());
  for (size_t i = 0; i < m.size(); ++i) h.emplace_back(m[i].metric.Hash(), i);
  std::sort(h.begin(), h.end());
  for (size_t i = 1; i < h.size(); ++i) {
    for (size_t j = i; j > 0 && h[j - 1].first == h[i].first; --j)
      if (m[h[j - 1].second].metric == m[h[i].second].metric) return &m[h[i].second].metric;
  }
  return nullptr;
}

Status SameLabelsetError() {
  return FailedPreconditionError("vector cannot contain metrics with the same labelset");
}

// --- Collector ---------------------------------------------------------------

int Collector::Find(const model::Labels& labels, uint64_t h) const {
  if (buckets_.empty()) return -1;
  for (int i : buckets_[h % buckets_.size()])
    if (hashes_[i] == h && out_[i].metric == labels) return i;
  return -1;
}

void Collector::Rehash() {
  size_t n = std::max<size_t>(16, out_.size() * 2);
  buckets_.assign(n, {});
  for (size_t i = 0; i < out_.size(); ++i) buckets_[hashes_[i] % n].push_back(static_cast<int>(i));
}

int Collector::Intern(const model::Labels& labels) {
  uint64_t h = labels.Hash();
  int i = Find(labels, h);
  if (i >= 0) return i;
  return Intern(model::Labels(labels));
}

int Collector::Intern(model::Labels&& labels) {
  uint64_t h = labels.Hash();
  int i = Find(labels, h);
  if (i >= 0) return i;
  i = static_cast<int>(out_.size());
  out_.push_back(SeriesPoints{std::move(labels), {}});
  last_step_.push_back(-1);
  hashes_.push_back(h);
  if (out_.size() > buckets_.size()) {
    Rehash();
  } else {
    buckets_[h % buckets_.size()].push_back(i);
  }
  return i;
}

bool Collector::Emit(int series, int step, double v) {
  std::vector<FPoint>& pts = out_[series].points;
  const int64_t t = grid_.Time(step);
  if (step > last_step_[series]) {
    last_step_[series] = step;
    pts.push_back(FPoint{t, v});
  } else {
    // Several inputs feed this series (series-wise evaluation): keep time
    // order, and a second point at one step is a duplicate labelset.
    auto it = std::lower_bound(pts.begin(), pts.end(), t, [](const FPoint& p, int64_t x) { return p.t < x; });
    if (it != pts.end() && it->t == t) return false;
    pts.insert(it, FPoint{t, v});
  }
  ++points_;
  return true;
}

Result Collector::Take() {
  Result r;
  r.type = ValueType::kVector;
  r.series.reserve(out_.size());
  for (SeriesPoints& s : out_)
    if (!s.points.empty()) r.series.push_back(std::move(s));
  out_.clear();
  return r;
}

// --- StepTable ---------------------------------------------------------------

StepTable::StepTable(const Result& r, const Grid& grid) {
  int n = grid.Steps();
  offsets.assign(n + 1, 0);
  for (const SeriesPoints& s : r.series)
    for (const FPoint& p : s.points) ++offsets[(p.t - grid.start) / grid.interval + 1];
  for (int i = 0; i < n; ++i) offsets[i + 1] += offsets[i];
  entries.resize(offsets[n]);
  std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
  for (size_t si = 0; si < r.series.size(); ++si)
    for (const FPoint& p : r.series[si].points)
      entries[fill[(p.t - grid.start) / grid.interval]++] = Entry{static_cast<int32_t>(si), p.v};
}

// --- Evaluator ---------------------------------------------------------------

Evaluator::Evaluator(storage::Querier* querier, EvalOptions options, int64_t query_start, int64_t query_end)
    : querier_(querier), options_(options), query_start_(query_start), query_end_(query_end) {}

Status Evaluator::AddSamples(int64_t n) {
  current_samples_ += n;
  peak_samples_ = std::max(peak_samples_, current_samples_);
  if (current_samples_ > options_.max_samples)
    return ResourceExhaustedError("query processing would load too many samples into memory in query execution");
  return OkStatus();
}

Status Evaluator::CheckAbort() {
  if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed))
    return CancelledError("query was canceled in expression evaluation");
  if ((++abort_counter_ & 7) == 0 && std::chrono::steady_clock::now() > options_.deadline)
    return DeadlineExceededError("query timed out in expression evaluation");
  return OkStatus();
}

Status Evaluator::CheckGrid(int64_t start, int64_t end, int64_t interval) const {
  if (end >= start) {
    uint64_t span = static_cast<uint64_t>(end) - static_cast<uint64_t>(start);
    if (span / static_cast<uint64_t>(interval) >= static_cast<uint64_t>(std::max<int64_t>(options_.max_samples, 1)))
      return ResourceExhaustedError(
          "query processing would load too many samples into memory in query execution");
  }
  return OkStatus();
}

int64_t Evaluator::ResolveAt(const AtModifier& at) const {
  switch (at.kind) {
    case AtKind::kStart: return query_start_;
    case AtKind::kEnd: return query_end_;
    default: return at.timestamp_ms;
  }
}

StatusOr<std::vector<std::shared_ptr<storage::Series>>> Evaluator::SelectSeries(
    const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms, const Grid& grid,
    std::string_view func) {
  storage::SelectHints hints;
  hints.start_ms = mint;
  hints.end_ms = maxt;
  hints.step_ms = grid.start == grid.end ? 0 : grid.interval;
  hints.range_ms = range_ms;
  hints.func = std::string(func);
  // Sorted: results come in label order as Prometheus' (merging) querier
  // gives them, so that sums add in the same order.
  std::unique_ptr<storage::SeriesSet> set = querier_->Select(true, &hints, vs.matchers);
  std::vector<std::shared_ptr<storage::Series>> out;
  while (set->Next()) {
    out.push_back(set->At());
    if ((out.size() & 255) == 0) CISTERN_RETURN_IF_ERROR(CheckAbort());
  }
  CISTERN_RETURN_IF_ERROR(set->Err());
  for (std::string& w : set->Warnings()) warnings_.push_back(std::move(w));
  return out;
}

StatusOr<Result> Evaluator::EvalVectorSelector(const VectorSelector& vs, const Grid& grid, bool sample_times) {
  const bool fixed = vs.at.kind != AtKind::kNone;
  const int64_t at = fixed ? ResolveAt(vs.at) : 0;
  const int64_t first_ref = SatSub(fixed ? at : grid.start, vs.offset_ms);
  const int64_t last_ref = SatSub(fixed ? at : grid.end, vs.offset_ms);
  const int64_t lookback = options_.lookback_ms;
  CISTERN_ASSIGN_OR_RETURN(auto series, SelectSeries(vs, SatSub(first_ref, lookback), last_ref, 0, grid, ""));
  const int n = grid.Steps();
  Result r;
  r.type = ValueType::kVector;
  r.series.reserve(series.size());
  for (const auto& s : series) {
    CISTERN_RETURN_IF_ERROR(CheckAbort());
    std::unique_ptr<storage::SampleIterator> it = s->Iterator();
    bool have_cur = it->Seek(SatSub(first_ref, lookback));
    model::Sample cur = have_cur ? it->At() : model::Sample{};
    bool have_prev = false;
    model::Sample prev;
    auto lookup = [&](int64_t ref, model::Sample* out) {
      while (have_cur && cur.timestamp_ms <= ref) {
        prev = cur;
        have_prev = true;
        have_cur = it->Next();
        if (have_cur) cur = it->At();
      }
      if (!have_prev || prev.timestamp_ms < SatSub(ref, lookback) || model::IsStaleNaN(prev.value)) return false;
      *out = prev;
      return true;
    };
    SeriesPoints out{s->Labels(), {}};
    model::Sample found;
    if (fixed) {
      if (lookup(first_ref, &found)) {
        double v = sample_times ? static_cast<double>(found.timestamp_ms) / 1000 : found.value;
        out.points.reserve(n);
        for (int step = 0; step < n; ++step) out.points.push_back(FPoint{grid.Time(step), v});
      }
    } else {
      for (int step = 0; step < n; ++step) {
        int64_t ts = grid.Time(step);
        if (!lookup(SatSub(ts, vs.offset_ms), &found)) continue;
        out.points.push_back(
            FPoint{ts, sample_times ? static_cast<double>(found.timestamp_ms) / 1000 : found.value});
      }
    }
    CISTERN_RETURN_IF_ERROR(it->Err());
    if (out.points.empty()) continue;
    CISTERN_RETURN_IF_ERROR(AddSamples(static_cast<int64_t>(out.points.size())));
    r.series.push_back(std::move(out));
  }
  return r;
}

StatusOr<Result> Evaluator::EvalSubqueryInner(const SubqueryExpr& sq, const Grid& grid, int64_t* range_ms,
                                              int64_t* offset_ms, AtModifier* at) {
  *range_ms = sq.range_ms;
  *offset_ms = sq.offset_ms;
  *at = sq.at;
  const int64_t step = sq.step_ms > 0 ? sq.step_ms : options_.default_subquery_step_ms;
  const bool fixed = sq.at.kind != AtKind::kNone;
  const int64_t outer_start = fixed ? ResolveAt(sq.at) : grid.start;
  const int64_t outer_end = fixed ? ResolveAt(sq.at) : grid.end;
  Grid inner;
  inner.interval = step;
  const int64_t lo = SatSub(SatSub(outer_start, sq.offset_ms), sq.range_ms);
  const int64_t hi = SatSub(outer_end, sq.offset_ms);
  inner.start = step * (lo / step);
  if (inner.start < lo && inner.start <= storage::kMaxTime - step) inner.start += step;
  if (inner.start < lo || inner.start > hi) {
    Result empty;
    empty.type = ValueType::kVector;
    return empty;
  }
  CISTERN_RETURN_IF_ERROR(CheckGrid(inner.start, hi, step));
  inner.end = inner.start + (hi - inner.start) / step * step;
  return Eval(*sq.expr, inner);
}

StatusOr<Result> Evaluator::EvalMatrixTopLevel(const Expr& e, const Grid& grid) {
  Result r;
  r.type = ValueType::kMatrix;
  if (const auto* ms = e.As<MatrixSelector>()) {
    const VectorSelector& vs = ms->selector();
    const int64_t maxt = SatSub(vs.at.kind != AtKind::kNone ? ResolveAt(vs.at) : grid.start, vs.offset_ms);
    const int64_t mint = SatSub(maxt, ms->range_ms);
    CISTERN_ASSIGN_OR_RETURN(auto series, SelectSeries(vs, mint, maxt, ms->range_ms, grid, ""));
    for (const auto& s : series) {
      CISTERN_RETURN_IF_ERROR(CheckAbort());
      SeriesPoints out{s->Labels(), {}};
      std::unique_ptr<storage::SampleIterator> it = s->Iterator();
      for (bool ok = it->Seek(mint); ok; ok = it->Next()) {
        model::Sample x = it->At();
        if (x.timestamp_ms > maxt) break;
        if (!model::IsStaleNaN(x.value)) out.points.push_back(FPoint{x.timestamp_ms, x.value});
      }
      CISTERN_RETURN_IF_ERROR(it->Err());
      if (out.points.empty()) continue;
      CISTERN_RETURN_IF_ERROR(AddSamples(static_cast<int64_t>(out.points.size())));
      r.series.push_back(std::move(out));
    }
    return r;
  }
  const auto* sq = e.As<SubqueryExpr>();
  int64_t range = 0, offset = 0;
  AtModifier at;
  CISTERN_ASSIGN_OR_RETURN(Result inner, EvalSubqueryInner(*sq, grid, &range, &offset, &at));
  r.series = std::move(inner.series);
  return r;
}

StatusOr<Result> Evaluator::EvalRangeCall(const Call& call, const Grid& grid) {
  const FunctionId id = call.func->id;
  size_t matrix_idx = 0;
  for (size_t i = 0; i < call.args.size(); ++i)
    if (call.args[i]->type == ValueType::kMatrix) matrix_idx = i;
  std::vector<Result> scalar_args;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_idx) continue;
    CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[i], grid));
    scalar_args.push_back(std::move(a));
  }
  const Expr& marg = UnwrapParens(*call.args[matrix_idx]);
  int64_t range = 0, offset = 0;
  AtModifier at;
  std::vector<std::shared_ptr<storage::Series>> selected;
  Result sub;
  bool from_subquery = false;
  if (const auto* ms = marg.As<MatrixSelector>()) {
    const VectorSelector& vs = ms->selector();
    range = ms->range_ms;
    offset = vs.offset_ms;
    at = vs.at;
    const bool fixed = at.kind != AtKind::kNone;
    const int64_t maxt = SatSub(fixed ? ResolveAt(at) : grid.end, offset);
    const int64_t mint = SatSub(SatSub(fixed ? ResolveAt(at) : grid.start, offset), range);
    CISTERN_ASSIGN_OR_RETURN(selected, SelectSeries(vs, mint, maxt, range, grid, call.func->name));
  } else {
    from_subquery = true;
    CISTERN_ASSIGN_OR_RETURN(sub, EvalSubqueryInner(*marg.As<SubqueryExpr>(), grid, &range, &offset, &at));
  }
  const bool fixed = at.kind != AtKind::kNone;
  const int64_t at_ts = fixed ? ResolveAt(at) : 0;
  const int n = grid.Steps();
  const size_t num_series = from_subquery ? sub.series.size() : selected.size();
  const bool keep_name = id == FunctionId::kLastOverTime;
  const bool absent = id == FunctionId::kAbsentOverTime;

  Result r;
  r.type = ValueType::kVector;
  std::vector<FPoint> window;
  std::vector<double> scalars(scalar_args.size());
  std::vector<char> present;  // absent_over_time: some series has points at step
  if (absent) present.assign(n, 0);
  std::string error;
  for (size_t si = 0; si < num_series; ++si) {
    CISTERN_RETURN_IF_ERROR(CheckAbort());
    const model::Labels& labels = from_subquery ? sub.series[si].metric : selected[si]->Labels();
    SeriesPoints out{absent ? model::Labels{} : keep_name ? labels : DropMetricName(labels), {}};
    // The window's source: an iterator over stored samples, or the
    // subquery's points.
    std::unique_ptr<storage::SampleIterator> it;
    const std::vector<FPoint>* src = nullptr;
    size_t src_pos = 0;
    bool have_cur = false;
    model::Sample cur;
    if (from_subquery) {
      src = &sub.series[si].points;
    } else {
      it = selected[si]->Iterator();
      const int64_t first_maxt = SatSub(fixed ? at_ts : grid.start, offset);
      have_cur = it->Seek(SatSub(first_maxt, range));
      if (have_cur) cur = it->At();
    }
    window.clear();
    size_t head = 0;  // window[head..] is the live window
    int64_t last_maxt = storage::kMinTime;
    for (int step = 0; step < n; ++step) {
      if ((step & 127) == 127) CISTERN_RETURN_IF_ERROR(CheckAbort());
      const int64_t maxt = SatSub(fixed ? at_ts : grid.Time(step), offset);
      const int64_t mint = SatSub(maxt, range);
      if (maxt != last_maxt) {
        last_maxt = maxt;
        if (from_subquery) {
          while (src_pos < src->size() && (*src)[src_pos].t <= maxt) window.push_back((*src)[src_pos++]);
        } else {
          while (have_cur && cur.timestamp_ms <= maxt) {
            if (!model::IsStaleNaN(cur.value)) window.push_back(FPoint{cur.timestamp_ms, cur.value});
            have_cur = it->Next();
            if (have_cur) cur = it->At();
          }
        }
        while (head < window.size() && window[head].t < mint) ++head;
        if (head > 4096 && head * 2 > window.size()) {
          window.erase(window.begin(), window.begin() + static_cast<ptrdiff_t>(head));
          head = 0;
        }
      }
      if (head == window.size()) continue;
      if (absent) {
        present[step] = 1;
        continue;
      }
      for (size_t a = 0; a < scalar_args.size(); ++a) scalars[a] = scalar_args[a].scalars[step];
      RangeArgs args;
      args.points = std::span<const FPoint>(window.data() + head, window.size() - head);
      args.range_start_ms = mint;
      args.range_end_ms = maxt;
      args.eval_ms = grid.Time(step);
      args.scalars = scalars;
      double v = 0;
      if (!EvalRangeFunction(id, args, &v, &error)) {
        if (!error.empty()) return FailedPreconditionError(error);
        continue;
      }
      out.points.push_back(FPoint{grid.Time(step), v});
    }
    if (it != nullptr) CISTERN_RETURN_IF_ERROR(it->Err());
    if (out.points.empty()) continue;
    CISTERN_RETURN_IF_ERROR(AddSamples(static_cast<int64_t>(out.points.size())));
    r.series.push_back(std::move(out));
  }
  if (absent) {
    SeriesPoints out{AbsentLabels(*call.args[matrix_idx]), {}};
    for (int step = 0; step < n; ++step)
      if (!present[step]) out.points.push_back(FPoint{grid.Time(step), 1});
    r.series.clear();
    if (!out.points.empty()) r.series.push_back(std::move(out));
    return r;
  }
  if (FindDuplicateLabelset(r.series) != nullptr) return SameLabelsetError();
  return r;
}

StatusOr<Result> Evaluator::EvalCall(const Expr& e, const Call& call, const Grid& grid) {
  const FunctionId id = call.func->id;
  const int n = grid.Steps();
  if (IsRangeFunction(id) || id == FunctionId::kAbsentOverTime) return EvalRangeCall(call, grid);
  switch (id) {
    case FunctionId::kTime: {
      Result r = ScalarResult(grid, 0);
      for (int i = 0; i < n; ++i) r.scalars[i] = static_cast<double>(grid.Time(i)) / 1000;
      return r;
    }
    case FunctionId::kPi: return ScalarResult(grid, std::numbers::pi);
    case FunctionId::kVector: {
      CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[0], grid));
      Result r;
      r.type = ValueType::kVector;
      SeriesPoints s;
      for (int i = 0; i < n; ++i) s.points.push_back(FPoint{grid.Time(i), a.scalars[i]});
      r.series.push_back(std::move(s));
      return r;
    }
    case FunctionId::kScalar: {
      CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[0], grid));
      Result r = ScalarResult(grid, std::nan(""));
      StepTable t(a, grid);
      for (int i = 0; i < n; ++i) {
        auto es = t.At(i);
        if (es.size() == 1) r.scalars[i] = es[0].v;
      }
      return r;
    }
    case FunctionId::kTimestamp: {
      const Expr& arg = UnwrapParens(*call.args[0]);
      Result a;
      if (const auto* vs = arg.As<VectorSelector>()) {
        CISTERN_ASSIGN_OR_RETURN(a, EvalVectorSelector(*vs, grid, true));
      } else {
        CISTERN_ASSIGN_OR_RETURN(a, Eval(arg, grid));
        for (SeriesPoints& s : a.series)
          for (FPoint& p : s.points) p.v = static_cast<double>(p.t) / 1000;
      }
      Collector c(grid);
      for (SeriesPoints& s : a.series) {
        int o = c.Intern(DropMetricName(s.metric));
        for (const FPoint& p : s.points)
          if (!c.Emit(o, static_cast<int>((p.t - grid.start) / grid.interval), p.v)) return SameLabelsetError();
      }
      return c.Take();
    }
    case FunctionId::kSort:
    case FunctionId::kSortDesc: {
      CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[0], grid));
      if (n == 1) {
        // Prometheus: sort puts NaN last (reverse of a descending order
        // with NaN first); sort_desc likewise.
        const bool desc = id == FunctionId::kSortDesc;
        std::stable_sort(a.series.begin(), a.series.end(), [desc](const SeriesPoints& x, const SeriesPoints& y) {
          double a1 = x.points[0].v, b1 = y.points[0].v;
          if (std::isnan(a1)) return false;
          if (std::isnan(b1)) return true;
          return desc ? a1 > b1 : a1 < b1;
        });
      }
      return a;
    }
    case FunctionId::kLabelReplace:
    case FunctionId::kLabelJoin: {
      CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[0], grid));
      auto str = [&](size_t i) -> const std::string& { return UnwrapParens(*call.args[i]).As<StringLiteral>()->value; };
      std::function<model::Labels(const model::Labels&)> apply;
      if (id == FunctionId::kLabelReplace) {
        CISTERN_ASSIGN_OR_RETURN(LabelReplacer rep, LabelReplacer::Make(str(1), str(2), str(3), str(4)));
        apply = [rep](const model::Labels& l) { return rep.Apply(l); };
      } else {
        std::vector<std::string> srcs;
        for (size_t i = 3; i < call.args.size(); ++i) srcs.push_back(str(i));
        CISTERN_ASSIGN_OR_RETURN(LabelJoiner j, LabelJoiner::Make(str(1), str(2), std::move(srcs)));
        apply = [j](const model::Labels& l) { return j.Apply(l); };
      }
      Collector c(grid);
      for (SeriesPoints& s : a.series) {
        int o = c.Intern(apply(s.metric));
        for (const FPoint& p : s.points)
          if (!c.Emit(o, static_cast<int>((p.t - grid.start) / grid.interval), p.v)) return SameLabelsetError();
      }
      return c.Take();
    }
    case FunctionId::kAbsent: {
      CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[0], grid));
      StepTable t(a, grid);
      Result r;
      r.type = ValueType::kVector;
      SeriesPoints s{AbsentLabels(*call.args[0]), {}};
      for (int i = 0; i < n; ++i)
        if (t.At(i).empty()) s.points.push_back(FPoint{grid.Time(i), 1});
      if (!s.points.empty()) r.series.push_back(std::move(s));
      return r;
    }
    case FunctionId::kHistogramQuantile: {
      CISTERN_ASSIGN_OR_RETURN(Result phi, Eval(*call.args[0], grid));
      CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[1], grid));
      StepTable t(a, grid);
      Collector c(grid);
      Vector in, out;
      for (int i = 0; i < n; ++i) {
        CISTERN_RETURN_IF_ERROR(CheckAbort());
        in.clear();
        out.clear();
        for (const StepTable::Entry& en : t.At(i)) in.push_back(VSample{a.series[en.series].metric, 0, en.v});
        if (in.empty()) continue;
        HistogramQuantile(phi.scalars[i], in, grid.Time(i), &out);
        for (VSample& s : out)
          if (!c.Emit(c.Intern(std::move(s.metric)), i, s.v)) return SameLabelsetError();
      }
      return c.Take();
    }
    case FunctionId::kHistogramCount:
    case FunctionId::kHistogramSum:
    case FunctionId::kHistogramFraction: {
      // Native histograms only: float samples give nothing.
      for (const ExprPtr& arg : call.args) {
        CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*arg, grid));
        }
      Result r;
      r.type = ValueType::kVector;
      return r;
    }
    default: break;
  }
  if (!IsElementwiseFunction(id)) return InternalError("function " + std::string(call.func->name) + " not implemented");
  // Elementwise: the first argument is the vector (absent for the time
  // functions: vector(time())), the rest are scalars.
  Result vec;
  size_t first_scalar = 1;
  if (call.args.empty() || call.args[0]->type != ValueType::kVector) {
    vec.type = ValueType::kVector;
    SeriesPoints s;
    for (int i = 0; i < n; ++i)
      s.points.push_back(FPoint{grid.Time(i), static_cast<double>(grid.Time(i) / 1000)});
    vec.series.push_back(std::move(s));
    first_scalar = 0;
  } else {
    CISTERN_ASSIGN_OR_RETURN(vec, Eval(*call.args[0], grid));
  }
  std::vector<Result> sargs;
  for (size_t i = first_scalar; i < call.args.size(); ++i) {
    CISTERN_ASSIGN_OR_RETURN(Result a, Eval(*call.args[i], grid));
    sargs.push_back(std::move(a));
  }
  std::vector<double> sc(sargs.size());
  Collector c(grid);
  for (SeriesPoints& s : vec.series) {
    int o = -1;
    for (const FPoint& p : s.points) {
      int step = static_cast<int>((p.t - grid.start) / grid.interval);
      for (size_t a = 0; a < sargs.size(); ++a) sc[a] = sargs[a].scalars[step];
      double v = 0;
      if (!EvalElementwise(id, p.v, sc, &v)) continue;
      if (o < 0) o = c.Intern(DropMetricName(s.metric));
      if (!c.Emit(o, step, v)) return SameLabelsetError();
    }
  }
  (void)e;
  return c.Take();
}

StatusOr<Result> Evaluator::Eval(const Expr& e, const Grid& grid) {
  CISTERN_RETURN_IF_ERROR(CheckAbort());
  // Children's points are released when their parent is done: what stays
  // held is the node's own result.
  const int64_t before = current_samples_;
  StatusOr<Result> r = EvalNode(e, grid);
  if (!r.ok()) return r;
  current_samples_ = before;
  CISTERN_RETURN_IF_ERROR(AddSamples(r->Points()));
  return r;
}

StatusOr<Result> Evaluator::EvalNode(const Expr& e, const Grid& grid) {
  if (const auto* num = e.As<NumberLiteral>()) return ScalarResult(grid, num->value);
  if (const auto* str = e.As<StringLiteral>()) {
    Result r;
    r.type = ValueType::kString;
    r.str = str->value;
    return r;
  }
  if (const auto* paren = e.As<ParenExpr>()) return Eval(*paren->expr, grid);
  if (const auto* vs = e.As<VectorSelector>()) return EvalVectorSelector(*vs, grid, false);
  if (e.As<MatrixSelector>() != nullptr || e.As<SubqueryExpr>() != nullptr) return EvalMatrixTopLevel(e, grid);
  if (const auto* u = e.As<UnaryExpr>()) {
    CISTERN_ASSIGN_OR_RETURN(Result r, Eval(*u->expr, grid));
    if (u->op == UnaryOp::kPlus) return r;
    for (double& v : r.scalars) v = -v;
    for (SeriesPoints& s : r.series) {
      s.metric = DropMetricName(s.metric);
      for (FPoint& p : s.points) p.v = -p.v;
    }
    if (FindDuplicateLabelset(r.series) != nullptr) return SameLabelsetError();
    return r;
  }
  if (const auto* call = e.As<Call>()) return EvalCall(e, *call, grid);
  if (const auto* b = e.As<BinaryExpr>()) return EvalBinary(*b, grid);
  if (const auto* a = e.As<AggregateExpr>()) return EvalAggregate(*a, grid);
  return InternalError("unknown expression node");
}

}  // namespace cistern::promql::internal
