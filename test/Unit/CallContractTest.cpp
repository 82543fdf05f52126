//===- CallContractTest.cpp - the entry check of generated kernels --------===//
//
// attn_runtime::checkCall on hand-made buffers: sizes and their relations,
// the overlap test (exact for views of one allocation), empty tensors and
// bounds queries, malformed contracts.
//
//===----------------------------------------------------------------------===//
#include "lib/Runtime/CallContract.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

/// A dense float buffer over `host` with MLIR-order sizes `shape`.
struct Buf {
  std::vector<halide_dimension_t> dims;
  halide_buffer_t raw = {};
  Buf(float *host, std::vector<int> shape) {
    int stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
      dims.push_back({0, shape[i], stride, 0});
      stride *= shape[i];
    }
    raw.host = reinterpret_cast<uint8_t *>(host);
    raw.type = {halide_type_float, 32, 1};
    raw.dimensions = static_cast<int>(shape.size());
    raw.dim = dims.data();
  }
};

const char *kAttention = "F attend\n"
                         "B i q f32 3 2 ? 8 tensor<2x?x8xf32>\n"
                         "B i k f32 3 2 =a0.1@0 8 tensor<2x?x8xf32>\n"
                         "B o out f32 3 2 =a0.1 8 tensor<2x?x8xf32>\n"
                         "L 0 'attn.attention' at model.mlir:3:8\n";

int check(const char *contract, std::vector<halide_buffer_t *> bufs,
          std::string &message) {
  return attn_runtime::checkCall(contract, bufs.data(), message);
}

TEST(CallContract, AcceptsGoodBuffersAndNamesBadOnes) {
  std::vector<float> q(2 * 5 * 8), k(2 * 5 * 8), o(2 * 5 * 8), k4(2 * 4 * 8);
  Buf bq(q.data(), {2, 5, 8}), bk(k.data(), {2, 5, 8}), bo(o.data(), {2, 5, 8});
  std::string message;
  EXPECT_EQ(check(kAttention, {&bq.raw, &bk.raw, &bo.raw}, message), 0) << message;

  Buf short_(k4.data(), {2, 4, 8});
  EXPECT_LT(check(kAttention, {&bq.raw, &short_.raw, &bo.raw}, message), 0);
  EXPECT_EQ(message, "attn: @attend: k has size 4 in dimension 1, expected 5, "
                     "the size of q in dimension 1 (tensor<2x?x8xf32>; Halide's "
                     "dim[1], as Halide counts dimensions innermost first; "
                     "required by 'attn.attention' at model.mlir:3:8)");

  Buf wide(q.data(), {2, 5, 7});
  EXPECT_LT(check(kAttention, {&wide.raw, &bk.raw, &bo.raw}, message), 0);
  EXPECT_NE(message.find("q has size 7 in dimension 2, expected 8"),
            std::string::npos)
      << message;
}

TEST(CallContract, EvaluatesChunkCounts) {
  const char *contract = "F f\n"
                         "B i x f32 2 ? 4 tensor<?x4xf32>\n"
                         "B o n f32 2 =ceil(a0.0/64) 4 tensor<?x4xf32>\n";
  std::vector<float> x(130 * 4), n(3 * 4);
  Buf bx(x.data(), {130, 4}), bn(n.data(), {3, 4}), bad(n.data(), {2, 4});
  std::string message;
  EXPECT_EQ(check(contract, {&bx.raw, &bn.raw}, message), 0) << message;
  EXPECT_LT(check(contract, {&bx.raw, &bad.raw}, message), 0);
  EXPECT_NE(message.find("expected 3, ceil(the size of x in dimension 0 / 64)"),
            std::string::npos)
      << message;
}

TEST(CallContract, OverlapIsExactForViewsOfOneAllocation) {
  // One allocation of 2 x 10 x 8: rows 0-4 and rows 5-9 of each head are
  // disjoint although their spans interleave; rows 4-8 overlap rows 0-4.
  std::vector<float> big(2 * 10 * 8);
  auto rows = [&](int first) {
    Buf b(big.data() + first * 8, {2, 5, 8});
    b.dims[1].stride = 8;  // rows of the big buffer
    b.dims[2].stride = 80; // heads of the big buffer
    return b;
  };
  Buf q = rows(0), k = rows(0), disjoint = rows(5), overlapping = rows(4);
  std::string message;
  EXPECT_EQ(check(kAttention, {&q.raw, &k.raw, &disjoint.raw}, message), 0)
      << message;
  EXPECT_LT(check(kAttention, {&q.raw, &k.raw, &overlapping.raw}, message), 0);
  EXPECT_NE(message.find("the output out overlaps q in memory"),
            std::string::npos)
      << message;
  // The same memory through a reversed (negative-stride) view overlaps too.
  Buf reversed = rows(0);
  reversed.raw.host += 4 * 8 * sizeof(float);
  reversed.dims[1].stride = -8;
  EXPECT_LT(check(kAttention, {&q.raw, &k.raw, &reversed.raw}, message), 0);
}

TEST(CallContract, EmptyTensorsAreNotBoundsQueries) {
  Buf q(nullptr, {2, 0, 8}), k(nullptr, {2, 0, 8}), o(nullptr, {2, 0, 8});
  std::string message;
  // An empty sequence: computed (as empty), the placeholder host given.
  EXPECT_EQ(check(kAttention, {&q.raw, &k.raw, &o.raw}, message), 1) << message;
  EXPECT_NE(q.raw.host, nullptr);
  // A query: zeroed dims that do not fit the type; left to Halide.
  std::vector<float> data(2 * 5 * 8);
  Buf bq(data.data(), {2, 5, 8}), bk(data.data(), {2, 5, 8});
  halide_dimension_t zero[3] = {};
  halide_buffer_t query = {};
  query.type = {halide_type_float, 32, 1};
  query.dimensions = 3;
  query.dim = zero;
  EXPECT_EQ(check(kAttention, {&bq.raw, &bk.raw, &query}, message), 0) << message;
  EXPECT_EQ(query.host, nullptr);
}

TEST(CallContract, RefusesMalformedContracts) {
  std::string message;
  std::vector<halide_buffer_t *> none;
  EXPECT_LT(attn_runtime::checkCall("garbage", none.data(), message), 0);
  EXPECT_NE(message.find("malformed"), std::string::npos);
}
} // namespace
