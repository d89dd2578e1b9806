// The floor: the benchmark's training step written by hand in C++, no graph.
//
// MLP(2, [16, 16, 1]) with ReLU hidden layers, hinge loss relu(1 - y*score) averaged
// over the points, + alpha * sum(p^2), backward by hand, plain SGD. Each neuron
// sums b + w0*x0 + w1*x1 + ... left to right, as arenagrad's dot does, so the loss
// matches arenagrad's to the last bit (bench.py checks it).
//
// stdin: points, then x0 x1 y per point, then the 337 parameters in
// arenagrad.nn.MLP.parameters() order (per neuron: weights, then bias), then the
// learning rate, alpha and the number of timed repeats. stdout: one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {

constexpr int kIn = 2, kH = 16;

struct Layer {
  int inputs, outputs;
  std::vector<double> w, b, gw, gb;  // w[j * inputs + i]
  Layer(int in, int out) : inputs(in), outputs(out), w(in * out), b(out), gw(in * out), gb(out) {}
};

struct Net {
  Layer l1{kIn, kH}, l2{kH, kH}, l3{kH, 1};
  std::vector<Layer*> layers() { return {&l1, &l2, &l3}; }
};

void affine(const Layer& l, const double* x, double* z) {
  for (int j = 0; j < l.outputs; ++j) {
    double total = l.b[j];
    const double* w = &l.w[j * l.inputs];
    for (int i = 0; i < l.inputs; ++i) total = total + w[i] * x[i];
    z[j] = total;
  }
}

// dz: gradient at the layer's pre-activation; adds to the weights' gradients and
// writes the inputs' gradient (if dx is non-null).
void affine_back(Layer& l, const double* x, const double* dz, double* dx) {
  if (dx != nullptr) std::fill(dx, dx + l.inputs, 0.0);
  for (int j = 0; j < l.outputs; ++j) {
    const double g = dz[j];
    double* gw = &l.gw[j * l.inputs];
    const double* w = &l.w[j * l.inputs];
    for (int i = 0; i < l.inputs; ++i) {
      gw[i] += g * x[i];
      if (dx != nullptr) dx[i] += g * w[i];
    }
    l.gb[j] += g;
  }
}

struct Data {
  std::vector<double> x, y;
  int n = 0;
};

// Forward over all points and backward; returns the loss.
double forward_backward(Net& net, const Data& d, double alpha, std::vector<double>& act) {
  const int n = d.n;
  // Per point: z1, h1, z2, h2, score.
  const int stride = 4 * kH + 1;
  act.resize(static_cast<std::size_t>(n) * stride);
  double data_loss = 0.0;
  for (int p = 0; p < n; ++p) {
    double* a = &act[static_cast<std::size_t>(p) * stride];
    double *z1 = a, *h1 = a + kH, *z2 = a + 2 * kH, *h2 = a + 3 * kH, *s = a + 4 * kH;
    affine(net.l1, &d.x[2 * p], z1);
    for (int j = 0; j < kH; ++j) h1[j] = z1[j] <= 0.0 ? 0.0 : z1[j];
    affine(net.l2, h1, z2);
    for (int j = 0; j < kH; ++j) h2[j] = z2[j] <= 0.0 ? 0.0 : z2[j];
    affine(net.l3, h2, s);
    const double margin = 1.0 + -d.y[p] * s[0];
    data_loss = data_loss + (margin <= 0.0 ? 0.0 : margin);
  }
  const double scale = 1.0 / n;
  double reg = 0.0;
  for (Layer* l : net.layers()) {  // parameters() order: per neuron, weights then bias
    for (int j = 0; j < l->outputs; ++j) {
      for (int i = 0; i < l->inputs; ++i) reg = reg + l->w[j * l->inputs + i] * l->w[j * l->inputs + i];
      reg = reg + l->b[j] * l->b[j];
    }
  }
  const double loss = data_loss * scale + alpha * reg;

  double dh2[kH], dz2[kH], dh1[kH], dz1[kH];
  for (int p = 0; p < n; ++p) {
    const double* a = &act[static_cast<std::size_t>(p) * stride];
    const double *z1 = a, *h1 = a + kH, *z2 = a + 2 * kH, *h2 = a + 3 * kH, *s = a + 4 * kH;
    const double margin = 1.0 + -d.y[p] * s[0];
    double ds = margin > 0.0 ? -d.y[p] * scale : 0.0;
    affine_back(net.l3, h2, &ds, dh2);
    for (int j = 0; j < kH; ++j) dz2[j] = z2[j] > 0.0 ? dh2[j] : 0.0;
    affine_back(net.l2, h1, dz2, dh1);
    for (int j = 0; j < kH; ++j) dz1[j] = z1[j] > 0.0 ? dh1[j] : 0.0;
    affine_back(net.l1, &d.x[2 * p], dz1, nullptr);
  }
  for (Layer* l : net.layers()) {
    for (std::size_t i = 0; i < l->w.size(); ++i) l->gw[i] += 2.0 * alpha * l->w[i];
    for (std::size_t i = 0; i < l->b.size(); ++i) l->gb[i] += 2.0 * alpha * l->b[i];
  }
  return loss;
}

void zero_grad(Net& net) {
  for (Layer* l : net.layers()) {
    std::fill(l->gw.begin(), l->gw.end(), 0.0);
    std::fill(l->gb.begin(), l->gb.end(), 0.0);
  }
}

void sgd(Net& net, double lr) {
  for (Layer* l : net.layers()) {
    for (std::size_t i = 0; i < l->w.size(); ++i) l->w[i] -= lr * l->gw[i];
    for (std::size_t i = 0; i < l->b.size(); ++i) l->b[i] -= lr * l->gb[i];
  }
}

template <typename F>
double median_seconds(F&& fn, int inner, int repeats) {
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < inner; ++k) fn();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    samples.push_back(took.count() / inner);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main() {
  Data d;
  std::cin >> d.n;
  d.x.resize(2 * d.n);
  d.y.resize(d.n);
  for (int p = 0; p < d.n; ++p) std::cin >> d.x[2 * p] >> d.x[2 * p + 1] >> d.y[p];
  Net net;
  for (Layer* l : net.layers()) {
    for (int j = 0; j < l->outputs; ++j) {
      for (int i = 0; i < l->inputs; ++i) std::cin >> l->w[j * l->inputs + i];
      std::cin >> l->b[j];
    }
  }
  double lr = 0.0, alpha = 0.0;
  int repeats = 0;
  std::cin >> lr >> alpha >> repeats;
  if (!std::cin) {
    std::fprintf(stderr, "floor: malformed input\n");
    return 1;
  }
  std::vector<double> act;
  zero_grad(net);
  const double first_loss = forward_backward(net, d, alpha, act);
  double sink = 0.0;
  const double fb = median_seconds([&] { sink += forward_backward(net, d, alpha, act); }, 200,
                                   repeats);
  const double step = median_seconds(
      [&] {
        zero_grad(net);
        sink += forward_backward(net, d, alpha, act);
        sgd(net, lr);
      },
      200, repeats);
  std::printf("{\"seconds\": %.9g, \"forward_backward\": %.9g, \"first_loss\": %.17g, "
              "\"sink\": %.3g}\n",
              step, fb, first_loss, sink);
  return 0;
}
