// libFuzzer target: the fuzz input is read as a program of graph operations over a
// small pool of arenagrad::Value handles in a local Arena.
//
// Invariants checked on every input (a violation aborts, which libFuzzer reports):
//  * an op that throws MathError (Python's ZeroDivisionError/ValueError/
//    OverflowError) leaves the arena's live node count exactly as it was;
//  * once every handle is gone, every node is freed (stats().live == 0);
//  * and, through ASan/UBSan, no out-of-bounds access, use-after-free or UB in
//    building, backward(), _backward(), children() or reclamation.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "arenagrad/errors.hpp"
#include "arenagrad/value.hpp"

namespace {

using arenagrad::Arena;
using arenagrad::MathError;
using arenagrad::Op;
using arenagrad::Value;

constexpr std::size_t kMaxPool = 48;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_ops invariant violated: %s\n", what);
    std::abort();
  }
}

// Consumes the input one byte (or one double) at a time; zeros once exhausted.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return size_ == 0; }
  std::uint8_t byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  std::size_t index(std::size_t n) { return n == 0 ? 0 : byte() % n; }

  // Mostly values near the edges of every op's domain, sometimes raw bit patterns.
  double number() {
    static const double kInteresting[] = {0.0,
                                          -0.0,
                                          1.0,
                                          -1.0,
                                          2.0,
                                          -2.0,
                                          0.5,
                                          -0.5,
                                          3.0,
                                          1e-300,
                                          -1e-300,
                                          1e300,
                                          -1e300,
                                          709.0,
                                          710.0,
                                          -745.0,
                                          1e308,
                                          5e-324,
                                          std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity(),
                                          std::numeric_limits<double>::quiet_NaN(),
                                          1024.0,
                                          -1075.0,
                                          0.3333333333333333};
    constexpr std::size_t kCount = sizeof(kInteresting) / sizeof(kInteresting[0]);
    const std::uint8_t pick = byte();
    if (pick < 224) return kInteresting[pick % kCount];
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | byte();
    double x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

// Every op of the table (ops.def) by arity, helpers included: a new op is fuzzed with
// no edit here.
std::vector<Op> ops_of_arity(int n) {
  std::vector<Op> ops;
  for (const arenagrad::OpInfo& api : arenagrad::kOpInfo) {
    if (arenagrad::arity(api.op) == n) ops.push_back(api.op);
  }
  return ops;
}
const std::vector<Op> kUnary = ops_of_arity(1);
const std::vector<Op> kBinary = ops_of_arity(2);

// Ops whose node keeps a constant (an exponent, a slope, clamp's lo) draw one.
bool takes_constant(Op op) {
  return *arenagrad::info(op).k_name != '\0' || op == Op::InRange;
}

// Builds one new node from the pool. A failing op must add nothing to the arena.
void build(Reader& in, Arena& arena, std::vector<Value>& pool) {
  const Value& a = pool[in.index(pool.size())];
  const std::uint8_t shape = in.byte();
  const std::size_t live_before = arena.stats().live;
  try {
    if (shape % 2 == 0) {
      const Op op = kUnary[in.index(kUnary.size())];
      const double k = takes_constant(op) ? in.number() : 0.0;
      pool.push_back(a.apply(op, {}, k));
    } else {
      const Op op = kBinary[in.index(kBinary.size())];
      const double k = takes_constant(op) ? in.number() : 0.0;
      switch ((shape / 2) % 4) {
        case 0:  // Value op Value (maybe the same node twice: a*a, a/a)
          pool.push_back(
              a.apply(op, arenagrad::Operand::of(pool[in.index(pool.size())].id()), k));
          break;
        case 1:  // Value op number
          pool.push_back(a.apply(op, arenagrad::Operand::number(in.number()), k));
          break;
        case 2:  // number op Value
          pool.push_back(a.apply_reflected(op, in.number()));
          break;
        default:  // through the operator overloads
          pool.push_back(op == Op::Add ? a + a : op == Op::Mul ? a * 2.0 : 1.0 / a);
          break;
      }
    }
  } catch (const MathError&) {
    check(arena.stats().live == live_before, "a failed op changed the live count");
  }
}

void run(Reader& in, Arena& arena) {
  std::vector<Value> pool;
  pool.emplace_back(in.number(), arena);
  while (!in.empty()) {
    const std::uint8_t command = in.byte();
    switch (command % 8) {
      case 0:
        if (pool.size() < kMaxPool) pool.emplace_back(in.number(), arena);
        break;
      case 1:
      case 2:
        if (pool.size() < kMaxPool) build(in, arena, pool);
        break;
      case 3: {  // drop a handle (swap with the last, then pop)
        if (pool.size() <= 1) break;
        const std::size_t i = in.index(pool.size());
        std::swap(pool[i], pool.back());
        pool.pop_back();
        break;
      }
      case 4:
        pool[in.index(pool.size())].backward();
        break;
      case 5:
        pool[in.index(pool.size())].local_backward();
        break;
      case 6: {  // overwrite data or grad, as Python's v.data = x does
        Value& v = pool[in.index(pool.size())];
        if (in.byte() % 2)
          v.set_data(in.number());
        else
          v.set_grad(in.number());
        break;
      }
      default: {  // take handles to a node's children (Python's _prev)
        for (Value& child : pool[in.index(pool.size())].children()) {
          if (pool.size() < kMaxPool) pool.push_back(std::move(child));
        }
        break;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Arena arena;
  Reader in(data, size);
  run(in, arena);  // every handle dies when run() returns
  check(arena.stats().live == 0, "nodes still live after every handle died");
  return 0;
}
