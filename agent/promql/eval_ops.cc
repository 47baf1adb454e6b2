// Binary operators and aggregations of the evaluator, as Prometheus 2.42's
// VectorBinop / VectorAnd / VectorOr / VectorUnless / VectorscalarBinop and
// aggregation(). Labels are worked out once per series (signatures, groups,
// result labels), values per step.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include "agent/base/float_format.h"
#include "agent/promql/eval.h"
#include "agent/promql/eval_functions.h"
#include "agent/promql/go_quote.h"

namespace cistern::promql::internal {
namespace {

bool DropsMetricName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kPow:
    case BinaryOp::kMod:
      return true;
    default:
      return false;
  }
}

// vectorElemBinop: the value and whether a comparison keeps the element.
std::pair<double, bool> ElemBinop(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd: return {l + r, true};
    case BinaryOp::kSub: return {l - r, true};
    case BinaryOp::kMul: return {l * r, true};
    case BinaryOp::kDiv: return {l / r, true};
    case BinaryOp::kPow: return {std::pow(l, r), true};
    case BinaryOp::kMod: return {std::fmod(l, r), true};
    case BinaryOp::kAtan2: return {std::atan2(l, r), true};
    case BinaryOp::kEql: return {l, l == r};
    case BinaryOp::kNeq: return {l, l != r};
    case BinaryOp::kGtr: return {l, l > r};
    case BinaryOp::kLss: return {l, l < r};
    case BinaryOp::kGte: return {l, l >= r};
    case BinaryOp::kLte: return {l, l <= r};
    default: return {0, false};
  }
}

double ScalarBinop(BinaryOp op, double l, double r) {
  auto [v, keep] = ElemBinop(op, l, r);
  if (IsComparison(op)) return keep ? 1 : 0;
  return v;
}

int StepOf(const Grid& g, int64_t t) { return static_cast<int>((t - g.start) / g.interval); }

// The matching part of a series' labels: only `names` (on) or all but
// `names` and __name__ (ignoring / default).
model::Labels MatchLabels(const model::Labels& l, bool on, const std::vector<std::string>& names) {
  std::vector<model::Label> out;
  for (const model::Label& x : l) {
    bool listed = std::find(names.begin(), names.end(), x.name) != names.end();
    if (on ? listed : (!listed && x.name != model::kMetricName)) out.push_back(x);
  }
  return model::Labels::FromSorted(std::move(out));
}

// Prometheus' labels.String(): {__name__="up", job="x"}.
std::string PromLabelsString(const model::Labels& l) {
  std::string out = "{";
  for (size_t i = 0; i < l.size(); ++i) {
    if (i > 0) out += ", ";
    out += l[i].name;
    out += '=';
    out += GoQuote(l[i].value);
  }
  out += '}';
  return out;
}

std::string SignatureBytes(const model::Labels& l, bool on, const std::vector<std::string>& names) {
  std::string sig;
  for (const model::Label& x : MatchLabels(l, on, names)) {
    sig += x.name;
    sig += '\xff';
    sig += x.value;
    sig += '\xff';
  }
  return sig;
}

// Signature ids shared by both sides of a vector-vector operation.
struct Signatures {
  std::unordered_map<std::string, int> ids;
  std::vector<int> lhs, rhs;
  int Id(std::string s) {
    auto [it, inserted] = ids.try_emplace(std::move(s), static_cast<int>(ids.size()));
    return it->second;
  }
};

// resultMetric of Prometheus: the output labels of a matched pair.
model::Labels ResultMetric(const model::Labels& lhs, const model::Labels& rhs, BinaryOp op,
                           const VectorMatching& m) {
  model::LabelsBuilder b(lhs);
  if (DropsMetricName(op)) b.Del(model::kMetricName);
  if (m.card == Cardinality::kOneToOne) {
    if (m.on) {
      for (const model::Label& x : lhs)
        if (std::find(m.matching_labels.begin(), m.matching_labels.end(), x.name) == m.matching_labels.end())
          b.Del(x.name);
    } else {
      for (const std::string& n : m.matching_labels) b.Del(n);
    }
  }
  for (const std::string& n : m.include) {
    std::string_view v = rhs.Get(n);
    if (!v.empty()) {
      b.Set(n, v);
    } else {
      b.Del(n);
    }
  }
  return b.Build();
}

}  // namespace

StatusOr<Result> Evaluator::EvalBinary(const BinaryExpr& b, const Grid& grid) {
  CISTERN_ASSIGN_OR_RETURN(Result l, Eval(*b.lhs, grid));
  CISTERN_ASSIGN_OR_RETURN(Result r, Eval(*b.rhs, grid));
  const int n = grid.Steps();
  const BinaryOp op = b.op;

  if (l.type == ValueType::kScalar && r.type == ValueType::kScalar) {
    for (int i = 0; i < n; ++i) l.scalars[i] = ScalarBinop(op, l.scalars[i], r.scalars[i]);
    return l;
  }

  if (l.type == ValueType::kScalar || r.type == ValueType::kScalar) {
    const bool swap = l.type == ValueType::kScalar;
    Result& vec = swap ? r : l;
    const std::vector<double>& sc = swap ? l.scalars : r.scalars;
    const bool drop = DropsMetricName(op) || b.return_bool;
    Collector c(grid);
    for (SeriesPoints& s : vec.series) {
      int o = -1;
      for (const FPoint& p : s.points) {
        const int step = StepOf(grid, p.t);
        double lv = p.v, rv = sc[step];
        if (swap) std::swap(lv, rv);
        auto [value, keep] = ElemBinop(op, lv, rv);
        if (IsComparison(op) && swap) value = rv;
        if (b.return_bool) {
          value = keep ? 1 : 0;
          keep = true;
        }
        if (!keep) continue;
        if (o < 0) o = drop ? c.Intern(DropMetricName(s.metric)) : c.Intern(s.metric);
        if (!c.Emit(o, step, value)) return SameLabelsetError();
      }
    }
    return c.Take();
  }

  // Vector-vector.
  const VectorMatching& m = *b.matching;
  Signatures sigs;
  for (const SeriesPoints& s : l.series) sigs.lhs.push_back(sigs.Id(SignatureBytes(s.metric, m.on, m.matching_labels)));
  for (const SeriesPoints& s : r.series) sigs.rhs.push_back(sigs.Id(SignatureBytes(s.metric, m.on, m.matching_labels)));
  const size_t num_sigs = sigs.ids.size();
  StepTable lt(l, grid), rt(r, grid);
  Collector c(grid);
  std::vector<int> sig_stamp(num_sigs, -1);
  std::vector<int> lhs_out(l.series.size(), -1), rhs_out(r.series.size(), -1);
  auto emit_lhs = [&](const StepTable::Entry& e, int step) {
    int& o = lhs_out[e.series];
    if (o < 0) o = c.Intern(l.series[e.series].metric);
    return c.Emit(o, step, e.v);
  };
  auto emit_rhs = [&](const StepTable::Entry& e, int step) {
    int& o = rhs_out[e.series];
    if (o < 0) o = c.Intern(r.series[e.series].metric);
    return c.Emit(o, step, e.v);
  };

  if (IsSetOperator(op)) {
    for (int i = 0; i < n; ++i) {
      auto ls = lt.At(i), rs = rt.At(i);
      switch (op) {
        case BinaryOp::kAnd:
          if (ls.empty() || rs.empty()) break;
          for (const auto& e : rs) sig_stamp[sigs.rhs[e.series]] = i;
          for (const auto& e : ls)
            if (sig_stamp[sigs.lhs[e.series]] == i && !emit_lhs(e, i)) return SameLabelsetError();
          break;
        case BinaryOp::kOr:
          for (const auto& e : ls) {
            sig_stamp[sigs.lhs[e.series]] = i;
            if (!emit_lhs(e, i)) return SameLabelsetError();
          }
          for (const auto& e : rs)
            if (sig_stamp[sigs.rhs[e.series]] != i && !emit_rhs(e, i)) return SameLabelsetError();
          break;
        default:  // unless
          if (!rs.empty())
            for (const auto& e : rs) sig_stamp[sigs.rhs[e.series]] = i;
          for (const auto& e : ls)
            if ((rs.empty() || sig_stamp[sigs.lhs[e.series]] != i) && !emit_lhs(e, i)) return SameLabelsetError();
          break;
      }
    }
    return c.Take();
  }

  // Arithmetic / comparison: one-to-one or many-to-one (one-to-many swaps
  // the sides, as Prometheus does).
  const bool swapped = m.card == Cardinality::kOneToMany;
  const Result& many = swapped ? r : l;
  const Result& one = swapped ? l : r;
  const StepTable& many_t = swapped ? rt : lt;
  const StepTable& one_t = swapped ? lt : rt;
  const std::vector<int>& many_sig = swapped ? sigs.rhs : sigs.lhs;
  const std::vector<int>& one_sig = swapped ? sigs.lhs : sigs.rhs;
  std::vector<int> one_entry(num_sigs, -1);  // series on the one side at this step
  std::vector<double> one_value(num_sigs, 0);
  std::vector<int> matched_stamp(num_sigs, -1);
  std::unordered_map<uint64_t, int> pair_out;  // (many series, one series) -> output series
  std::vector<int> out_sig;                    // signature of the last emission per output series
  std::vector<int> out_step;
  for (int i = 0; i < n; ++i) {
    auto ms = many_t.At(i), os = one_t.At(i);
    if (ms.empty() || os.empty()) continue;
    CISTERN_RETURN_IF_ERROR(CheckAbort());
    for (const auto& e : os) {
      const int sig = one_sig[e.series];
      if (sig_stamp[sig] == i) {
        const model::Labels& rs = one.series[e.series].metric;
        const model::Labels& dup = one.series[one_entry[sig]].metric;
        return FailedPreconditionError("found duplicate series for the match group " +
                                       PromLabelsString(MatchLabels(rs, m.on, m.matching_labels)) + " on the " +
                                       (swapped ? "left" : "right") + " hand-side of the operation: [" +
                                       PromLabelsString(rs) + ", " + PromLabelsString(dup) +
                                       "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
      sig_stamp[sig] = i;
      one_entry[sig] = e.series;
      one_value[sig] = e.v;
    }
    for (const auto& e : ms) {
      const int sig = many_sig[e.series];
      if (sig_stamp[sig] != i) continue;
      double vl = e.v, vr = one_value[sig];
      if (swapped) std::swap(vl, vr);
      auto [value, keep] = ElemBinop(op, vl, vr);
      if (b.return_bool) {
        value = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      const uint64_t key = static_cast<uint64_t>(e.series) * one.series.size() + one_entry[sig];
      auto [it, inserted] = pair_out.try_emplace(key, -1);
      if (inserted) {
        model::Labels metric = ResultMetric(many.series[e.series].metric, one.series[one_entry[sig]].metric, op, m);
        if (b.return_bool) metric = DropMetricName(metric);
        it->second = c.Intern(std::move(metric));
        if (out_sig.size() < c.size()) {
          out_sig.resize(c.size(), -1);
          out_step.resize(c.size(), -1);
        }
      }
      const int o = it->second;
      if (m.card == Cardinality::kOneToOne) {
        if (matched_stamp[sig] == i)
          return FailedPreconditionError(
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        matched_stamp[sig] = i;
      } else if (out_step[o] == i && out_sig[o] == sig) {
        return FailedPreconditionError("multiple matches for labels: grouping labels must ensure unique matches");
      }
      out_step[o] = i;
      out_sig[o] = sig;
      if (!c.Emit(o, i, value)) return SameLabelsetError();
    }
  }
  return c.Take();
}

namespace {

// Go's container/heap over samples with Prometheus' orderings: topk keeps
// a min-heap (NaN smallest), bottomk a max-heap (NaN "largest").
struct HeapEntry {
  double v;
  int32_t series;
};

template <typename Less>
void HeapUp(std::vector<HeapEntry>& h, size_t j, Less less) {
  while (j > 0) {
    size_t i = (j - 1) / 2;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    j = i;
  }
}

template <typename Less>
void HeapDown(std::vector<HeapEntry>& h, size_t i, size_t n, Less less) {
  for (;;) {
    size_t j1 = 2 * i + 1;
    if (j1 >= n) break;
    size_t j = j1;
    if (size_t j2 = j1 + 1; j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    i = j;
  }
}

template <typename Less>
void HeapPush(std::vector<HeapEntry>& h, HeapEntry e, Less less) {
  h.push_back(e);
  HeapUp(h, h.size() - 1, less);
}

template <typename Less>
void HeapPop(std::vector<HeapEntry>& h, Less less) {
  size_t n = h.size() - 1;
  std::swap(h[0], h[n]);
  HeapDown(h, 0, n, less);
  h.pop_back();
}

struct Group {
  double value = 0;
  double mean = 0;
  double count = 0;
  std::vector<HeapEntry> heap;
  std::vector<double> values;
};

}  // namespace

StatusOr<Result> Evaluator::EvalAggregate(const AggregateExpr& a, const Grid& grid) {
  const int n = grid.Steps();
  const AggregateOp op = a.op;
  std::vector<std::string> grouping = a.grouping;
  std::sort(grouping.begin(), grouping.end());

  Result param;
  std::string value_label;
  if (op == AggregateOp::kCountValues) {
    value_label = UnwrapParens(*a.param).As<StringLiteral>()->value;
    if (!model::IsValidLabelName(value_label))
      return FailedPreconditionError("invalid label name " + GoQuote(value_label));
  } else if (a.param != nullptr) {
    CISTERN_ASSIGN_OR_RETURN(param, Eval(*a.param, grid));
  }
  CISTERN_ASSIGN_OR_RETURN(Result in, Eval(*a.expr, grid));
  StepTable table(in, grid);

  auto group_labels = [&](const model::Labels& metric) {
    std::vector<model::Label> out;
    for (const model::Label& x : metric) {
      bool listed = std::binary_search(grouping.begin(), grouping.end(), x.name);
      if (a.without ? (!listed && x.name != model::kMetricName) : listed) out.push_back(x);
    }
    return model::Labels::FromSorted(std::move(out));
  };

  Collector out(grid);
  if (op == AggregateOp::kCountValues) {
    std::vector<std::string> keep = grouping;
    if (!a.without) {
      keep.push_back(value_label);
      std::sort(keep.begin(), keep.end());
    }
    std::vector<int> counts, stamps;
    std::vector<int> touched;
    for (int i = 0; i < n; ++i) {
      CISTERN_RETURN_IF_ERROR(CheckAbort());
      touched.clear();
      for (const auto& e : table.At(i)) {
        model::LabelsBuilder lb(in.series[e.series].metric);
        lb.Set(value_label, FormatFloatF(e.v));
        model::Labels metric = lb.Build();
        std::vector<model::Label> g;
        for (const model::Label& x : metric) {
          bool listed = std::binary_search(keep.begin(), keep.end(), x.name);
          if (a.without ? (!listed && x.name != model::kMetricName) : listed) g.push_back(x);
        }
        int o = out.Intern(model::Labels::FromSorted(std::move(g)));
        if (static_cast<size_t>(o) >= counts.size()) {
          counts.resize(o + 1, 0);
          stamps.resize(o + 1, -1);
        }
        if (stamps[o] != i) {
          stamps[o] = i;
          counts[o] = 0;
          touched.push_back(o);
        }
        ++counts[o];
      }
      for (int o : touched) out.Emit(o, i, counts[o]);
    }
    return out.Take();
  }

  // Groups are fixed per input series.
  Collector groups_index(grid);
  std::vector<int> group_of(in.series.size());
  for (size_t s = 0; s < in.series.size(); ++s) group_of[s] = groups_index.Intern(group_labels(in.series[s].metric));
  const size_t num_groups = groups_index.size();
  std::vector<Group> groups(num_groups);
  std::vector<int> stamp(num_groups, -1);
  std::vector<int> group_out(num_groups, -1);
  std::vector<int> series_out(in.series.size(), -1);
  std::vector<int> touched;
  const bool is_topk = op == AggregateOp::kTopK, is_bottomk = op == AggregateOp::kBottomK;
  auto top_less = [](const HeapEntry& x, const HeapEntry& y) { return std::isnan(x.v) || x.v < y.v; };
  auto bottom_less = [](const HeapEntry& x, const HeapEntry& y) { return std::isnan(x.v) || x.v > y.v; };

  for (int i = 0; i < n; ++i) {
    CISTERN_RETURN_IF_ERROR(CheckAbort());
    auto entries = table.At(i);
    if (entries.empty()) continue;
    int64_t k = 0;
    double q = 0;
    if (is_topk || is_bottomk) {
      const double f = param.scalars[i];
      if (!(f <= 9.223372036854775807e18 && f >= -9.223372036854775808e18))
        return FailedPreconditionError("Scalar value " + FormatFloatG(f) + " overflows int64");
      k = static_cast<int64_t>(f);
      if (k < 1) continue;
    } else if (op == AggregateOp::kQuantile) {
      q = param.scalars[i];
    }
    touched.clear();
    for (const auto& e : entries) {
      const int g = group_of[e.series];
      Group& gr = groups[g];
      const double v = e.v;
      if (stamp[g] != i) {
        stamp[g] = i;
        touched.push_back(g);
        gr.value = v;
        gr.mean = v;
        gr.count = 1;
        switch (op) {
          case AggregateOp::kStddev:
          case AggregateOp::kStdvar: gr.value = 0; break;
          case AggregateOp::kTopK:
          case AggregateOp::kBottomK:
            gr.heap.clear();
            gr.heap.push_back(HeapEntry{v, e.series});
            break;
          case AggregateOp::kQuantile:
            gr.values.clear();
            gr.values.push_back(v);
            break;
          case AggregateOp::kGroup: gr.value = 1; break;
          default: break;
        }
        continue;
      }
      switch (op) {
        case AggregateOp::kSum: gr.value += v; break;
        case AggregateOp::kAvg:
          gr.count++;
          if (std::isinf(gr.mean)) {
            if (std::isinf(v) && (gr.mean > 0) == (v > 0)) break;
            if (!std::isinf(v) && !std::isnan(v)) break;
          }
          gr.mean += v / gr.count - gr.mean / gr.count;
          break;
        case AggregateOp::kGroup: break;
        case AggregateOp::kMax:
          if (gr.value < v || std::isnan(gr.value)) gr.value = v;
          break;
        case AggregateOp::kMin:
          if (gr.value > v || std::isnan(gr.value)) gr.value = v;
          break;
        case AggregateOp::kCount: gr.count++; break;
        case AggregateOp::kStddev:
        case AggregateOp::kStdvar: {
          gr.count++;
          double delta = v - gr.mean;
          gr.mean += delta / gr.count;
          gr.value += delta * (v - gr.mean);
          break;
        }
        case AggregateOp::kTopK:
          if (static_cast<int64_t>(gr.heap.size()) < k || gr.heap[0].v < v || std::isnan(gr.heap[0].v)) {
            if (static_cast<int64_t>(gr.heap.size()) == k) {
              if (k == 1) {
                gr.heap[0] = HeapEntry{v, e.series};
                break;
              }
              HeapPop(gr.heap, top_less);
            }
            HeapPush(gr.heap, HeapEntry{v, e.series}, top_less);
          }
          break;
        case AggregateOp::kBottomK:
          if (static_cast<int64_t>(gr.heap.size()) < k || gr.heap[0].v > v || std::isnan(gr.heap[0].v)) {
            if (static_cast<int64_t>(gr.heap.size()) == k) {
              if (k == 1) {
                gr.heap[0] = HeapEntry{v, e.series};
                break;
              }
              HeapPop(gr.heap, bottom_less);
            }
            HeapPush(gr.heap, HeapEntry{v, e.series}, bottom_less);
          }
          break;
        case AggregateOp::kQuantile: gr.values.push_back(v); break;
        default: break;
      }
    }
    for (int g : touched) {
      Group& gr = groups[g];
      double v = gr.value;
      switch (op) {
        case AggregateOp::kAvg: v = gr.mean; break;
        case AggregateOp::kCount: v = gr.count; break;
        case AggregateOp::kStdvar: v = gr.value / gr.count; break;
        case AggregateOp::kStddev: v = std::sqrt(gr.value / gr.count); break;
        case AggregateOp::kQuantile: v = Quantile(q, &gr.values); break;
        case AggregateOp::kTopK:
        case AggregateOp::kBottomK: {
          // Output order as Prometheus: topk descending, bottomk ascending,
          // NaN last.
          std::sort(gr.heap.begin(), gr.heap.end(), [is_topk](const HeapEntry& x, const HeapEntry& y) {
            if (std::isnan(x.v)) return false;
            if (std::isnan(y.v)) return true;
            return is_topk ? x.v > y.v : x.v < y.v;
          });
          for (const HeapEntry& h : gr.heap) {
            int& o = series_out[h.series];
            if (o < 0) o = out.Intern(in.series[h.series].metric);
            if (!out.Emit(o, i, h.v)) return SameLabelsetError();
          }
          continue;
        }
        default: break;
      }
      int& o = group_out[g];
      if (o < 0) o = out.Intern(groups_index.labels(g));
      if (!out.Emit(o, i, v)) return SameLabelsetError();
    }
  }
  return out.Take();
}

}  // namespace cistern::promql::internal
