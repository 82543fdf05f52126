// causal_mask(A B^T, zero) through its linear uses -> cumulative sums; exact.
// RUN: attn-opt %s --attn-causal-to-cumsum | FileCheck %s
// RUN: attn-opt %s --attn-causal-to-cumsum -o %t.mlir
// RUN: for f in $(grep -o '^func.func @[a-z0-9_]*' %s | cut -d@ -f2); do \
// RUN:   for t in 1 6 23; do \
// RUN:     attn-run %t.mlir --entry $f --dynamic-size $t --seed $t --compare %s || echo "FAILED $f $t"; \
// RUN:   done; \
// RUN: done 2>&1 | FileCheck %s --check-prefix=AGREE --implicit-check-not=FAIL
// AGREE: compare result {{.*}}: ok
// RUN: attn-opt %s "--attn-causal-to-cumsum=explain" -o /dev/null --verify-diagnostics

// CHECK-LABEL: func.func @causal_linear
// CHECK-NOT: attn.causal_mask
// CHECK-DAG: %[[Z:.*]] = attn.cumsum %[[FK:.*]] {dim = 2 : i64} : tensor<2x3x?x8xf32>
// CHECK-DAG: %[[DEN:.*]] = attn.row_sum %{{.*}} : tensor<2x3x?x8xf32> -> tensor<2x3x?x1xf32>
// CHECK-DAG: %[[OUTER:.*]] = attn.matmul %{{.*}}, %{{.*}} : tensor<2x3x?x8x1xf32>, tensor<2x3x?x1x5xf32> -> tensor<2x3x?x8x5xf32>
// CHECK-DAG: %[[S:.*]] = attn.cumsum %[[OUTER]] {dim = 2 : i64} : tensor<2x3x?x8x5xf32>
// CHECK: attn.normalize
func.func @causal_linear(%q: tensor<2x3x?x8xf32>, %k: tensor<2x3x?x8xf32>, %v: tensor<2x3x?x5xf32>) -> tensor<2x3x?x5xf32> {
  %fq = attn.feature_map elu_plus_one %q : tensor<2x3x?x8xf32> -> tensor<2x3x?x8xf32>
  %fk = attn.feature_map elu_plus_one %k : tensor<2x3x?x8xf32> -> tensor<2x3x?x8xf32>
  %s = attn.matmul %fq, %fk transpose_rhs : tensor<2x3x?x8xf32>, tensor<2x3x?x8xf32> -> tensor<2x3x?x?xf32>
  // expected-remark @+1 {{rewritten to cumulative sums over 2 use(s); no T x T product remains}}
  %m = attn.causal_mask %s fill zero : tensor<2x3x?x?xf32>
  %num = attn.matmul %m, %v : tensor<2x3x?x?xf32>, tensor<2x3x?x5xf32> -> tensor<2x3x?x5xf32>
  %den = attn.row_sum %m : tensor<2x3x?x?xf32> -> tensor<2x3x?x1xf32>
  %o = attn.normalize %num, %den : (tensor<2x3x?x5xf32>, tensor<2x3x?x1xf32>) -> tensor<2x3x?x5xf32>
  return %o : tensor<2x3x?x5xf32>
}

// A scale and a normalisation between the mask and the product with V;
// query batch broadcast against two key batches.
// CHECK-LABEL: func.func @rows_between
// CHECK-NOT: attn.causal_mask
// CHECK: attn.scale
func.func @rows_between(%q: tensor<1x?x4xf32>, %k: tensor<2x?x4xf32>, %v: tensor<2x?x4xf32>) -> tensor<2x?x4xf32> {
  %fq = attn.feature_map exp %q : tensor<1x?x4xf32> -> tensor<1x?x4xf32>
  %fk = attn.feature_map exp %k : tensor<2x?x4xf32> -> tensor<2x?x4xf32>
  %s = attn.matmul %fq, %fk transpose_rhs : tensor<1x?x4xf32>, tensor<2x?x4xf32> -> tensor<2x?x?xf32>
  // expected-remark @+1 {{rewritten to cumulative sums over 2 use(s)}}
  %m = attn.causal_mask %s fill zero : tensor<2x?x?xf32>
  %den = attn.row_sum %m : tensor<2x?x?xf32> -> tensor<2x?x1xf32>
  %ms = attn.scale %m by 0.5 : tensor<2x?x?xf32>
  %p = attn.normalize %ms, %den : (tensor<2x?x?xf32>, tensor<2x?x1xf32>) -> tensor<2x?x?xf32>
  %o = attn.matmul %p, %v : tensor<2x?x?xf32>, tensor<2x?x4xf32> -> tensor<2x?x4xf32>
  return %o : tensor<2x?x4xf32>
}

// Causal AFT-simple (Zhai et al. 2021, w = 0): uniform causal weights ->
// cumulative sums of exp(K) * V and exp(K).
// CHECK-LABEL: func.func @aft_simple_causal
// CHECK-NOT: attn.causal_mask
// CHECK-DAG: attn.cumsum %{{.*}} {dim = 2 : i64} : tensor<1x2x16x8xf32>
// CHECK-NOT: tensor<1x1x16x16xf32>
func.func @aft_simple_causal(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  %ones = arith.constant dense<1.0> : tensor<1x1x16x16xf32>
  // expected-remark @+1 {{rewritten to cumulative sums over 2 use(s)}}
  %w = attn.causal_mask %ones fill zero : tensor<1x1x16x16xf32>
  %ek = attn.exp %k : tensor<1x2x16x8xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  %num = attn.matmul %w, %ekv : tensor<1x1x16x16xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  %den = attn.matmul %w, %ek : tensor<1x1x16x16xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  %r = attn.div %num, %den : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  %sq = attn.sigmoid %q : tensor<1x2x16x8xf32>
  %y = attn.mul %sq, %r : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return %y : tensor<1x2x16x8xf32>
}

// Row sums of uniform causal weights are the constant c (t + 1).
// CHECK-LABEL: func.func @uniform_row_sums
// CHECK: arith.constant dense<[{{\[}}[5.000000e-01], [1.000000e+00], [1.500000e+00]]]> : tensor<1x3x1xf32>
func.func @uniform_row_sums() -> tensor<1x3x1xf32> {
  %c = arith.constant dense<0.5> : tensor<1x3x3xf32>
  // expected-remark @+1 {{rewritten to cumulative sums over 1 use(s)}}
  %w = attn.causal_mask %c fill zero : tensor<1x3x3xf32>
  %r = attn.row_sum %w : tensor<1x3x3xf32> -> tensor<1x3x1xf32>
  return %r : tensor<1x3x1xf32>
}

// Two causal attentions in a chain: both rewritten.
// CHECK-LABEL: func.func @chained
// CHECK-NOT: attn.causal_mask
func.func @chained(%q: tensor<1x?x4xf32>, %k: tensor<1x?x4xf32>) -> tensor<1x?x4xf32> {
  %fq = attn.feature_map relu %q : tensor<1x?x4xf32> -> tensor<1x?x4xf32>
  %fk = attn.feature_map relu %k : tensor<1x?x4xf32> -> tensor<1x?x4xf32>
  %s = attn.matmul %fq, %fk transpose_rhs : tensor<1x?x4xf32>, tensor<1x?x4xf32> -> tensor<1x?x?xf32>
  // expected-remark @+1 {{rewritten to cumulative sums over 1 use(s)}}
  %m = attn.causal_mask %s fill zero : tensor<1x?x?xf32>
  %o = attn.matmul %m, %k : tensor<1x?x?xf32>, tensor<1x?x4xf32> -> tensor<1x?x4xf32>
  %s2 = attn.matmul %o, %fk transpose_rhs : tensor<1x?x4xf32>, tensor<1x?x4xf32> -> tensor<1x?x?xf32>
  // expected-remark @+1 {{rewritten to cumulative sums over 1 use(s)}}
  %m2 = attn.causal_mask %s2 fill zero : tensor<1x?x?xf32>
  %o2 = attn.matmul %m2, %o : tensor<1x?x?xf32>, tensor<1x?x4xf32> -> tensor<1x?x4xf32>
  return %o2 : tensor<1x?x4xf32>
}

// Declined: a softmax mask, a transposed V, a nonlinear use.
// CHECK-LABEL: func.func @declines
// CHECK-COUNT-3: attn.causal_mask
func.func @declines(%q: tensor<1x?x4xf32>, %vt: tensor<1x4x?xf32>) -> (tensor<1x?x?xf32>, tensor<1x?x4xf32>, tensor<1x?x?xf32>) {
  %s = attn.matmul %q, %q transpose_rhs : tensor<1x?x4xf32>, tensor<1x?x4xf32> -> tensor<1x?x?xf32>
  // expected-remark @+1 {{not rewritten to cumulative sums: the mask fills the lowest value (a softmax mask); remove the softmax first}}
  %a = attn.causal_mask %s fill lowest : tensor<1x?x?xf32>
  %p = attn.softmax %a : tensor<1x?x?xf32>
  // expected-remark @+1 {{not rewritten to cumulative sums: the values are transposed (matmul transpose_rhs)}}
  %b = attn.causal_mask %s fill zero : tensor<1x?x?xf32>
  %o = attn.matmul %b, %vt transpose_rhs : tensor<1x?x?xf32>, tensor<1x4x?xf32> -> tensor<1x?x4xf32>
  // expected-remark @+1 {{not rewritten to cumulative sums: the product has a use by 'attn.exp', which is not linear in it}}
  %c = attn.causal_mask %s fill zero : tensor<1x?x?xf32>
  %e = attn.exp %c : tensor<1x?x?xf32>
  return %p, %o, %e : tensor<1x?x?xf32>, tensor<1x?x4xf32>, tensor<1x?x?xf32>
}

// Declined: a mask with more keys than queries (prefix sums pair query t
// with keys 0..t of one sequence; this once built an invalid op).
// CHECK-LABEL: func.func @not_square
// CHECK: attn.causal_mask
func.func @not_square(%q: tensor<1x5x4xf32>, %k: tensor<1x7x4xf32>, %v: tensor<1x7x3xf32>) -> tensor<1x5x3xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x5x4xf32>, tensor<1x7x4xf32> -> tensor<1x5x7xf32>
  // expected-remark @+1 {{not rewritten to cumulative sums: the mask is not square (5 queries, 7 keys): prefix sums need one sequence of queries and keys}}
  %m = attn.causal_mask %s fill zero : tensor<1x5x7xf32>
  %o = attn.matmul %m, %v : tensor<1x5x7xf32>, tensor<1x7x3xf32> -> tensor<1x5x3xf32>
  return %o : tensor<1x5x3xf32>
}
