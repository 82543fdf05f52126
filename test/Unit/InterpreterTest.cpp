//===- InterpreterTest.cpp - reference kernels on hand-computed cases -----===//
#include "TestSupport.h"
#include "lib/Reference/Inputs.h"
#include "lib/Reference/Interpreter.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace attn;

namespace {
Tensor make(Shape shape, std::vector<double> values) {
  Tensor t(shape, ElementKind::f32);
  t.data = std::move(values);
  return t;
}

TEST(Interpreter, MatmulWithTransposedRhs) {
  test::Parsed p(R"(
    func.func @f(%a: tensor<1x2x2xf32>, %b: tensor<1x3x2xf32>) -> tensor<1x2x3xf32> {
      %c = attn.matmul %a, %b transpose_rhs : tensor<1x2x2xf32>, tensor<1x3x2xf32> -> tensor<1x2x3xf32>
      return %c : tensor<1x2x3xf32>
    })");
  auto out = interpret(p.func(), {make({1, 2, 2}, {1, 2, 3, 4}),
                                  make({1, 3, 2}, {1, 0, 0, 1, 1, 1})});
  ASSERT_TRUE(mlir::succeeded(out));
  EXPECT_EQ((*out)[0].data, (std::vector<double>{1, 2, 3, 3, 4, 7}));
}

TEST(Interpreter, CausalSoftmaxAttentionOfTwoTokens) {
  // Query 0 sees only key 0: output = v0. Query 1 weighs keys by
  // softmax(q1.k / sqrt(d)).
  test::Parsed p(R"(
    func.func @f(%q: tensor<2x1xf32>, %k: tensor<2x1xf32>, %v: tensor<2x1xf32>) -> tensor<2x1xf32> {
      %o = attn.attention softmax %q, %k, %v causal : (tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
      return %o : tensor<2x1xf32>
    })");
  auto out = interpret(p.func(), {make({2, 1}, {1, 2}), make({2, 1}, {1, 3}),
                                  make({2, 1}, {10, 20})});
  ASSERT_TRUE(mlir::succeeded(out));
  double w0 = std::exp(2.0), w1 = std::exp(6.0);
  EXPECT_DOUBLE_EQ((*out)[0].data[0], 10.0);
  EXPECT_NEAR((*out)[0].data[1], (10 * w0 + 20 * w1) / (w0 + w1), 1e-12);
}

TEST(Interpreter, DecayedExclusiveCumsum) {
  test::Parsed p(R"(
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = attn.cumsum %x {dim = 0 : i64, exclusive, decay = 5.0e-01 : f64} : tensor<4xf32>
      return %y : tensor<4xf32>
    })");
  auto out = interpret(p.func(), {make({4}, {1, 2, 3, 4})});
  ASSERT_TRUE(mlir::succeeded(out));
  EXPECT_EQ((*out)[0].data, (std::vector<double>{0, 1, 2.5, 4.25}));
}

TEST(Interpreter, RefusesInputsOfTheWrongShape) {
  test::Parsed p(R"(
    func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
      %y = attn.softmax %x : tensor<?x4xf32>
      return %y : tensor<?x4xf32>
    })");
  std::string message;
  mlir::ScopedDiagnosticHandler h(&p.ctx, [&](mlir::Diagnostic &d) {
    message = d.str();
    return mlir::success();
  });
  auto out = interpret(p.func(), {make({2, 5}, std::vector<double>(10))});
  EXPECT_TRUE(mlir::failed(out));
  EXPECT_EQ(message, "argument #0 has shape [2, 5]; expected [?, 4] (type "
                     "'tensor<?x4xf32>')");
}

TEST(Inputs, SameSeedSameInputs) {
  test::Parsed p(R"(
    func.func @f(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
      return %x : tensor<?x3xf32>
    })");
  auto a = makeRandomInputs(p.func(), 7, 5), b = makeRandomInputs(p.func(), 7, 5);
  auto c = makeRandomInputs(p.func(), 8, 5);
  EXPECT_EQ(a[0].shape, (Shape{5, 3}));
  EXPECT_EQ(a[0].data, b[0].data);
  EXPECT_NE(a[0].data, c[0].data);
  for (double v : a[0].data) {
    EXPECT_GE(v, -1.0);
    EXPECT_LT(v, 1.0);
  }
}
} // namespace
