// Calls generated kernels as a C++ program would, with one kind of buffer
// per run: `attn_kernel_abi <case>` prints "<case>: rc=<code> msg=<message>"
// (and what it checked), and exits 0 when the call returned (an abort or a
// crash is what these cases exist to rule out).
#include "kernel_abi_kernels.h"

#include "HalideBuffer.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>

using Halide::Runtime::Buffer;

namespace {
constexpr int T = 5;

Buffer<float> tensor(int t, int d = 8) {
  Buffer<float> b(d, t, 2, 1);
  b.for_each_element([&](int x, int y, int h, int) {
    b(x, y, h, 0) = 0.1f * x - 0.05f * y + 0.3f * h;
  });
  return b;
}

int report(const char *what, int rc) {
  std::printf("%s: rc=%d msg=%s\n", what, rc, rc ? attn_last_error() : "");
  attn_clear_error();
  return rc;
}

using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                       halide_buffer_t *);

const std::map<std::string, std::function<void()>> cases = {
    {"good",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       for (auto [name, kernel] : {std::pair<const char *, Kernel>{"attend", attend},
                                   {"linear", linear}, {"causal", causal}}) {
         report(name, kernel(q, k, v, o));
         // Causal row 0 attends only to key 0: it equals v's row 0.
         if (kernel != linear)
           std::printf("%s row 0 equals v row 0: %s\n", name,
                       std::fabs(o(3, 0, 1, 0) - v(3, 0, 1, 0)) < 1e-5 ? "yes"
                                                                       : "no");
       }
     }},
    {"wrong-type",
     [] {
       Buffer<double> q(8, T, 2, 1);
       Buffer<float> k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       report("wrong-type", attend(q, k, v, o));
     }},
    {"wrong-rank",
     [] {
       Buffer<float> q(8, T, 2), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       report("wrong-rank", attend(q, k, v, o));
     }},
    {"wrong-batch",
     [] {
       Buffer<float> q(8, T, 2, 3), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       report("wrong-batch", attend(q, k, v, o));
     }},
    {"wrong-head-size",
     [] {
       Buffer<float> q = tensor(T, 7), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       report("wrong-head-size", attend(q, k, v, o));
     }},
    {"wrong-v",
     [] {
       // v longer than k: Halide said "Input buffer k is accessed at ...".
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T + 3), o(8, T, 2, 1);
       report("wrong-v", attend(q, k, v, o));
     }},
    {"causal-k-short",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T - 1), v = tensor(T), o(8, T, 2, 1);
       report("causal-k-short", causal(q, k, v, o));
     }},
    {"causal-k-long",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T + 7), v = tensor(T), o(8, T, 2, 1);
       report("causal-k-long", causal(q, k, v, o));
     }},
    {"output-small",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T), o(8, T - 2, 2, 1);
       report("output-small", attend(q, k, v, o));
     }},
    {"null-input",
     [] {
       Buffer<float> k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       report("null-input", attend(nullptr, k, v, o));
     }},
    {"null-output",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T);
       report("null-output", attend(q, k, v, nullptr));
     }},
    {"null-dim",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       halide_buffer_t raw = *k.raw_buffer();
       raw.dim = nullptr;
       report("null-dim", attend(q, &raw, v, o));
     }},
    {"alias-output-input",
     [] {
       // o = q: the kernel would read q after writing o.
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T);
       report("alias-output-input", linear(q, k, v, q));
     }},
    {"alias-partial",
     [] {
       // o overlaps v's last rows.
       Buffer<float> big(8, 2 * T, 2, 1), q = tensor(T), k = tensor(T);
       Buffer<float> v = big.cropped(1, 0, T), o = big.cropped(1, T - 1, T);
       o.translate(1, -(T - 1));
       // cropped() shares the allocation; each view starts at row 0 again.
       report("alias-partial", linear(q, k, v, o));
     }},
    {"separate-views",
     [] {
       // Disjoint views of one allocation are fine.
       Buffer<float> big(8, 2 * T, 2, 1);
       Buffer<float> q = tensor(T), k = tensor(T);
       Buffer<float> v = big.cropped(1, 0, T), o = big.cropped(1, T, T);
       v.fill(0.5f);
       o.translate(1, -T);
       report("separate-views", linear(q, k, v, o));
     }},
    {"min-not-zero",
     [] {
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       q.translate(1, 2);
       report("min-not-zero", attend(q, k, v, o));
     }},
    {"strided-rows",
     [] {
       Buffer<float> wide(16, T, 2, 1), k = tensor(T), v = tensor(T), o(8, T, 2, 1);
       halide_buffer_t raw = *wide.raw_buffer();
       halide_dimension_t dims[4];
       std::memcpy(dims, raw.dim, sizeof dims);
       dims[0].extent = 8;
       dims[0].stride = 2;
       raw.dim = dims;
       report("strided-rows", attend(&raw, k, v, o));
     }},
    {"empty",
     [] {
       // T = 0: every kernel returns an empty result.
       Buffer<float> q(8, 0, 2, 1), k(8, 0, 2, 1), v(8, 0, 2, 1), o(8, 0, 2, 1);
       for (auto [name, kernel] : {std::pair<const char *, Kernel>{"attend", attend},
                                   {"linear", linear}, {"causal", causal}})
         report(name, kernel(q, k, v, o));
     }},
    {"output-query",
     [] {
       // The output in query mode: Halide sets its shape from the inputs'.
       Buffer<float> q = tensor(T), k = tensor(T), v = tensor(T);
       halide_dimension_t dims[4] = {};
       halide_buffer_t out = {};
       out.type = halide_type_of<float>();
       out.dimensions = 4;
       out.dim = dims;
       int rc = report("output-query", causal(q, k, v, &out));
       if (rc == 0)
         std::printf("the output needs extents %d %d %d %d\n", dims[0].extent,
                     dims[1].extent, dims[2].extent, dims[3].extent);
     }},
    {"bounds-query",
     [] {
       // host == NULL: Halide's bounds query fills in the shape an input
       // needs for the given output, and computes nothing.
       Buffer<float> o(8, T, 2, 1);
       halide_dimension_t dims[3][4] = {};
       halide_buffer_t in[3] = {};
       for (int i = 0; i < 3; ++i) {
         in[i].type = halide_type_of<float>();
         in[i].dimensions = 4;
         in[i].dim = dims[i];
       }
       int rc = report("bounds-query", causal(&in[0], &in[1], &in[2], o));
       if (rc == 0)
         std::printf("q needs extents %d %d %d %d\n", dims[0][0].extent,
                     dims[0][1].extent, dims[0][2].extent, dims[0][3].extent);
     }},
};
} // namespace

int main(int argc, char **argv) {
  if (argc != 2 || !cases.count(argv[1])) {
    std::fprintf(stderr, "usage: attn_kernel_abi <case>; cases:");
    for (const auto &c : cases)
      std::fprintf(stderr, " %s", c.first.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  cases.at(argv[1])();
  return 0;
}
