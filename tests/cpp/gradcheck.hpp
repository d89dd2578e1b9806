// Central finite differences in double precision, the yardstick for every op's rule.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

namespace arenagrad::testing {

// d f / d x_i at x by (f(x + h e_i) - f(x - h e_i)) / 2h, with h scaled to x_i.
inline std::vector<double> numeric_gradient(
    const std::function<double(const std::vector<double>&)>& f, std::vector<double> x) {
  std::vector<double> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::fabs(x[i]));
    const double xi = x[i];
    x[i] = xi + h;
    const double up = f(x);
    x[i] = xi - h;
    const double down = f(x);
    x[i] = xi;
    g[i] = (up - down) / (2.0 * h);
  }
  return g;
}

inline bool close(double analytic, double numeric, double tol = 1e-6) {
  return std::fabs(analytic - numeric) <= tol * std::max(1.0, std::fabs(numeric));
}

}  // namespace arenagrad::testing
