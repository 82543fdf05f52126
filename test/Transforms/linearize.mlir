// attn-linearize: the exact passes in order turn authored attention into
// linear-time forms with the same values.
// RUN: attn-opt %s --attn-linearize=assume-seq-len=4096 | FileCheck %s
// RUN: attn-opt %s "--attn-linearize=assume-seq-len=4096 chunk-size=16" -o %t.mlir
// RUN: for f in noncausal causal chained; do \
// RUN:   attn-run %t.mlir --entry $f --dynamic-size 70 --compare %s; \
// RUN:   attn-run %t.mlir --entry $f --dynamic-size 70 --backend=halide --compare %s; \
// RUN: done | FileCheck %s --check-prefix=AGREE
// AGREE-COUNT-6: compare result 0: {{.*}}: ok

// CHECK-LABEL: func.func @noncausal
// CHECK-NOT: tensor<1x4x?x?xf32>
// CHECK: attn.matmul %{{.*}}, %{{.*}} transpose_lhs : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x16x16xf32>
// CHECK-NOT: tensor<1x4x?x?xf32>
func.func @noncausal(%q: tensor<1x4x?x16xf32>, %k: tensor<1x4x?x16xf32>, %v: tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %o = attn.attention relu %q, %k, %v : (tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// No T x T product and no T x d x d state: per-chunk states only.
// CHECK-LABEL: func.func @causal
// CHECK-NOT: tensor<1x4x?x?xf32>
// CHECK: attn.chunk %{{.*}} {dim = 2 : i64, size = 64 : i64} : tensor<1x4x?x16xf32> -> tensor<1x4x?x64x16xf32>
// CHECK-NOT: tensor<1x4x?x?xf32>
// CHECK: attn.cumsum %{{.*}} {dim = 2 : i64, exclusive} : tensor<1x4x?x16x16xf32>
// CHECK-NOT: tensor<1x4x?x?xf32>
// CHECK: return
func.func @causal(%q: tensor<1x4x?x16xf32>, %k: tensor<1x4x?x16xf32>, %v: tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// A causal block feeding a non-causal one, in one function.
// CHECK-LABEL: func.func @chained
// CHECK-NOT: tensor<1x4x?x?xf32>
// CHECK: return
func.func @chained(%q: tensor<1x4x?x16xf32>, %k: tensor<1x4x?x16xf32>, %v: tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %a = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  %b = attn.attention relu %a, %k, %a : (tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  return %b : tensor<1x4x?x16xf32>
}
