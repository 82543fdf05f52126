//===- ShapeRulesTest.cpp - result shapes on concrete and dynamic shapes --===//
#include "TestSupport.h"
#include "dialect/ShapeRules.h"

#include <gtest/gtest.h>

using namespace attn;

namespace {
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

TEST(ShapeRules, FormatsStaticAndDynamicSizes) {
  EXPECT_EQ(formatShape({1, kDyn, 64}), "[1, ?, 64]");
  EXPECT_EQ(formatShape({}), "[]");
}

TEST(ShapeRules, NormalizesNegativeDims) {
  EXPECT_EQ(normalizeDim(-1, 4), 3);
  EXPECT_EQ(normalizeDim(2, 4), 2);
  EXPECT_EQ(normalizeDim(4, 4), -1);
  EXPECT_EQ(normalizeDim(-5, 4), -1);
}

TEST(ShapeRules, MatmulBroadcastsBatchAndChecksK) {
  test::Parsed p(R"(
    func.func @f(%a: tensor<1x3x5x4xf32>, %b: tensor<2x1x6x4xf32>) -> tensor<2x3x5x6xf32> {
      %c = attn.matmul %a, %b transpose_rhs : tensor<1x3x5x4xf32>, tensor<2x1x6x4xf32> -> tensor<2x3x5x6xf32>
      return %c : tensor<2x3x5x6xf32>
    })");
  ASSERT_TRUE(p.module);
  Shape result;
  std::string why;
  // Concrete shapes of a run: broadcasting gives [2, 3, 5, 6].
  ASSERT_TRUE(inferResultShape(p.firstOp(), {{1, 3, 5, 4}, {2, 1, 6, 4}},
                               result, why));
  EXPECT_EQ(result, (Shape{2, 3, 5, 6}));
  // A run whose K differ is refused with the expected rhs shape.
  EXPECT_FALSE(inferResultShape(p.firstOp(), {{1, 3, 5, 4}, {2, 1, 6, 7}},
                                result, why));
  EXPECT_NE(why.find("contraction size mismatch: lhs has K = 4 but rhs has "
                     "K = 7; expected rhs of shape [2, 1, 6, 4]"),
            std::string::npos)
      << why;
  // Batch sizes that neither match nor broadcast.
  EXPECT_FALSE(inferResultShape(p.firstOp(), {{3, 3, 5, 4}, {2, 1, 6, 4}},
                                result, why));
  EXPECT_NE(why.find("batch dimension 0"), std::string::npos) << why;
}

TEST(ShapeRules, DynamicSizesMatchAnything) {
  EXPECT_TRUE(shapesCompatible({1, kDyn, 4}, {1, 7, 4}));
  EXPECT_FALSE(shapesCompatible({1, 8, 4}, {1, 7, 4}));
  EXPECT_FALSE(shapesCompatible({1, 8}, {1, 8, 1}));
}
} // namespace
