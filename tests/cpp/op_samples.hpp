// Random points in each op's domain (ops.def's a_lo..b_hi), for the generic tests
// that iterate over the whole op table.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "arenagrad/ops.hpp"

namespace arenagrad::testing {

struct OpPoint {
  double a, b, k;
};

// Operands stay this far from kinks (0, k, a == b) and from a closed domain edge, so a
// central difference with h ~ 1e-6 never straddles one.
inline constexpr double kMargin = 0.05;

inline std::vector<Op> every_op() {
  std::vector<Op> ops;
  for (int i = 0; i < kOpCount; ++i) {
    if (static_cast<Op>(i) != Op::Leaf) ops.push_back(static_cast<Op>(i));
  }
  return ops;
}

// The constants an op is tested with.
inline std::vector<double> constants_for(Op op) {
  const OpInfo& api = info(op);
  if (op == Op::PowConst) return {2.0, 3.0, -2.0, 0.0};
  if (api.kind == Api::Clamp) return {-1.0};
  if (api.kind == Api::MethodK) return {api.k_default, 0.3};
  if (op == Op::InRange) return {-1.0};
  return {0.0};
}

// How far inside [lo, hi] the sampled interval stays: unbounded sides are cut at
// +-3 (exp, cosh and friends keep moderate slopes there).
inline double draw(std::mt19937_64& rng, double lo, double hi) {
  lo = std::max(lo, -3.0) + kMargin;
  hi = std::min(hi, 3.0) - kMargin;
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

inline bool near_kink(Op op, const OpPoint& p) {
  const bool binary = arity(op) == 2;
  if (std::fabs(p.a) < kMargin) return true;
  if (binary && std::fabs(p.b) < kMargin) return true;
  if (binary && std::fabs(p.a - p.b) < kMargin) return true;
  if (std::fabs(p.a - p.k) < kMargin) return true;
  return false;
}

// `count` interior points, then points just inside each finite domain edge.
inline std::vector<OpPoint> sample_points(Op op, int count, unsigned seed) {
  const OpInfo& api = info(op);
  std::mt19937_64 rng(seed + static_cast<unsigned>(op) * 7919u);
  std::vector<OpPoint> points;
  const double b_lo = api.kind == Api::Clamp ? 0.5 : api.b_lo;
  const double b_hi = api.kind == Api::Clamp ? 2.5 : api.b_hi;
  for (double k : constants_for(op)) {
    for (int n = 0; n < count;) {
      OpPoint p{draw(rng, api.a_lo, api.a_hi), draw(rng, b_lo, b_hi), k};
      if (arity(op) < 2) p.b = 0.0;
      if (op == Op::PowConst && k != std::floor(k) && p.a < 0.0) p.a = -p.a;
      if (near_kink(op, p)) continue;
      points.push_back(p);
      ++n;
    }
    // Near the edges of the domain: 1e-3 inside a finite bound.
    for (double edge : {api.a_lo, api.a_hi}) {
      if (!std::isfinite(edge) || std::fabs(edge) > 3.0) continue;
      const double inside = edge == api.a_lo ? edge + 1e-3 : edge - 1e-3;
      OpPoint p{inside, arity(op) == 2 ? draw(rng, b_lo, b_hi) : 0.0, k};
      if (!near_kink(op, p)) points.push_back(p);
    }
  }
  return points;
}

}  // namespace arenagrad::testing
