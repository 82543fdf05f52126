// (A B^T) C -> A (B^T C) where the cost model says so; exact.
// RUN: attn-opt %s --attn-reassociate | FileCheck %s
// RUN: attn-opt %s --attn-reassociate=assume-seq-len=4096 | FileCheck %s --check-prefix=ASSUME
// RUN: attn-opt %s --attn-reassociate=assume-seq-len=4096 -o %t.mlir
// RUN: for f in $(grep -o '^func.func @[a-z0-9_]*' %s | cut -d@ -f2); do \
// RUN:   attn-run %t.mlir --entry $f --dynamic-size 37 --compare %s || echo "FAILED $f"; \
// RUN: done 2>&1 | FileCheck %s --check-prefix=AGREE --implicit-check-not=FAIL
// AGREE-COUNT-13: compare result {{.*}}: ok
// The rewritten functions compiled (fp32) against the originals (fp64):
// RUN: for f in linear_attention fourier normalized_rows chained dynamic_length; do \
// RUN:   attn-run %t.mlir --entry $f --dynamic-size 300 --backend=halide --compare %s || echo "FAILED $f"; \
// RUN: done 2>&1 | FileCheck %s --check-prefix=FP32 --implicit-check-not=FAIL
// FP32-COUNT-5: compare result 0: {{.*}}: ok

// Linear attention as attn-decompose writes it: no T x T product remains.
// CHECK-LABEL: func.func @linear_attention
// CHECK-NOT: tensor<1x2x256x256xf32>
// CHECK-DAG: %[[Z:.*]] = attn.row_sum %[[FK:.*]] {dim = 2 : i64} : tensor<1x2x256x16xf32> -> tensor<1x2x1x16xf32>
// CHECK-DAG: %[[DEN:.*]] = attn.matmul %[[FQ:.*]], %[[Z]] transpose_rhs : tensor<1x2x256x16xf32>, tensor<1x2x1x16xf32> -> tensor<1x2x256x1xf32>
// CHECK-DAG: %[[KV:.*]] = attn.matmul %[[FK]], %arg2 transpose_lhs : tensor<1x2x256x16xf32>, tensor<1x2x256x16xf32> -> tensor<1x2x16x16xf32>
// CHECK-DAG: %[[NUM:.*]] = attn.matmul %[[FQ]], %[[KV]] : tensor<1x2x256x16xf32>, tensor<1x2x16x16xf32> -> tensor<1x2x256x16xf32>
// CHECK: attn.normalize %[[NUM]], %[[DEN]]
// CHECK-NOT: tensor<1x2x256x256xf32>
func.func @linear_attention(%q: tensor<1x2x256x16xf32>, %k: tensor<1x2x256x16xf32>, %v: tensor<1x2x256x16xf32>) -> tensor<1x2x256x16xf32> {
  %fq = attn.feature_map elu_plus_one %q : tensor<1x2x256x16xf32> -> tensor<1x2x256x16xf32>
  %fk = attn.feature_map elu_plus_one %k : tensor<1x2x256x16xf32> -> tensor<1x2x256x16xf32>
  %s = attn.matmul %fq, %fk transpose_rhs : tensor<1x2x256x16xf32>, tensor<1x2x256x16xf32> -> tensor<1x2x256x256xf32>
  %num = attn.matmul %s, %v : tensor<1x2x256x256xf32>, tensor<1x2x256x16xf32> -> tensor<1x2x256x16xf32>
  %den = attn.row_sum %s : tensor<1x2x256x256xf32> -> tensor<1x2x256x1xf32>
  %o = attn.normalize %num, %den : (tensor<1x2x256x16xf32>, tensor<1x2x256x1xf32>) -> tensor<1x2x256x16xf32>
  return %o : tensor<1x2x256x16xf32>
}

// Fourier-type (Cao 2021): (Q K^T) V / n -> Q (K^T V) / n.
// CHECK-LABEL: func.func @fourier
// CHECK: %[[KV:.*]] = attn.matmul %arg1, %arg2 transpose_lhs : tensor<4x512x32xf32>, tensor<4x512x32xf32> -> tensor<4x32x32xf32>
// CHECK: %[[O:.*]] = attn.matmul %arg0, %[[KV]] : tensor<4x512x32xf32>, tensor<4x32x32xf32> -> tensor<4x512x32xf32>
// CHECK: attn.scale %[[O]] by 0.001953125
func.func @fourier(%q: tensor<4x512x32xf32>, %k: tensor<4x512x32xf32>, %v: tensor<4x512x32xf32>) -> tensor<4x512x32xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<4x512x32xf32>, tensor<4x512x32xf32> -> tensor<4x512x512xf32>
  %o = attn.matmul %s, %v : tensor<4x512x512xf32>, tensor<4x512x32xf32> -> tensor<4x512x32xf32>
  %n = attn.scale %o by 0.001953125 : tensor<4x512x32xf32>
  return %n : tensor<4x512x32xf32>
}

// A scalar scale between the product and its use moves after.
// CHECK-LABEL: func.func @scaled_between
// CHECK: attn.matmul %arg1, %arg2 transpose_lhs
// CHECK: %[[O:.*]] = attn.matmul %arg0
// CHECK: attn.scale %[[O]] by 1.250000e-01 : tensor<2x300x8xf32>
func.func @scaled_between(%q: tensor<2x300x8xf32>, %k: tensor<2x300x8xf32>, %v: tensor<2x300x8xf32>) -> tensor<2x300x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<2x300x8xf32>, tensor<2x300x8xf32> -> tensor<2x300x300xf32>
  %ss = attn.scale %s by 0.125 : tensor<2x300x300xf32>
  %o = attn.matmul %ss, %v : tensor<2x300x300xf32>, tensor<2x300x8xf32> -> tensor<2x300x8xf32>
  return %o : tensor<2x300x8xf32>
}

// Row normalisation: normalize(A B^T) C = A (B^T C) / (A (B^T 1)).
// CHECK-LABEL: func.func @normalized_rows
// CHECK-NOT: tensor<2x128x128xf32>
// CHECK-DAG: %[[Z:.*]] = attn.row_sum %[[FK:.*]] {dim = 1 : i64}
// CHECK-DAG: %[[DEN:.*]] = attn.matmul %[[FQ:.*]], %[[Z]] transpose_rhs
// CHECK-DAG: %[[KV:.*]] = attn.matmul %[[FK]], %arg2 transpose_lhs
// CHECK-DAG: %[[NUM:.*]] = attn.matmul %[[FQ]], %[[KV]]
// CHECK: attn.normalize %[[NUM]], %[[DEN]] {eps = 1.000000e-03 : f64}
func.func @normalized_rows(%q: tensor<2x128x8xf32>, %k: tensor<2x128x8xf32>, %v: tensor<2x128x8xf32>) -> tensor<2x128x8xf32> {
  %fq = attn.feature_map relu %q : tensor<2x128x8xf32> -> tensor<2x128x8xf32>
  %fk = attn.feature_map exp %k : tensor<2x128x8xf32> -> tensor<2x128x8xf32>
  %s = attn.matmul %fq, %fk transpose_rhs : tensor<2x128x8xf32>, tensor<2x128x8xf32> -> tensor<2x128x128xf32>
  %den = attn.row_sum %s : tensor<2x128x128xf32> -> tensor<2x128x1xf32>
  %p = attn.normalize %s, %den {eps = 1.0e-3 : f64} : (tensor<2x128x128xf32>, tensor<2x128x1xf32>) -> tensor<2x128x128xf32>
  %o = attn.matmul %p, %v : tensor<2x128x128xf32>, tensor<2x128x8xf32> -> tensor<2x128x8xf32>
  return %o : tensor<2x128x8xf32>
}

// Two attentions in a chain, batch broadcasting (one query batch for two
// key batches), a transposed value: all rewritten.
// CHECK-LABEL: func.func @chained
// CHECK-NOT: tensor<{{.*}}x200x200xf32>
func.func @chained(%q: tensor<1x4x200x8xf32>, %k: tensor<2x4x200x8xf32>, %vt: tensor<2x4x8x200xf32>) -> tensor<2x4x200x8xf32> {
  %s1 = attn.matmul %q, %k transpose_rhs : tensor<1x4x200x8xf32>, tensor<2x4x200x8xf32> -> tensor<2x4x200x200xf32>
  %o1 = attn.matmul %s1, %vt transpose_rhs : tensor<2x4x200x200xf32>, tensor<2x4x8x200xf32> -> tensor<2x4x200x8xf32>
  %s2 = attn.matmul %o1, %k transpose_rhs : tensor<2x4x200x8xf32>, tensor<2x4x200x8xf32> -> tensor<2x4x200x200xf32>
  %s2s = attn.scale %s2 by 0.01 : tensor<2x4x200x200xf32>
  %o2 = attn.matmul %s2s, %o1 : tensor<2x4x200x200xf32>, tensor<2x4x200x8xf32> -> tensor<2x4x200x8xf32>
  return %o2 : tensor<2x4x200x8xf32>
}

// A transposed left operand: (A^T B)^... with A stored [K, M].
// CHECK-LABEL: func.func @transposed_lhs
// CHECK-NOT: tensor<1x96x96xf32>
func.func @transposed_lhs(%at: tensor<1x4x96xf32>, %b: tensor<1x96x4xf32>, %c: tensor<1x96x4xf32>) -> tensor<1x96x4xf32> {
  %s = attn.matmul %at, %b transpose_lhs transpose_rhs : tensor<1x4x96xf32>, tensor<1x96x4xf32> -> tensor<1x96x96xf32>
  %o = attn.matmul %s, %c : tensor<1x96x96xf32>, tensor<1x96x4xf32> -> tensor<1x96x4xf32>
  return %o : tensor<1x96x4xf32>
}

// Dynamic T: declined by default, decided by assume-seq-len.
// CHECK-LABEL: func.func @dynamic_length
// CHECK: attn.matmul %arg0, %arg1 transpose_rhs : tensor<1x?x16xf32>, tensor<1x?x16xf32> -> tensor<1x?x?xf32>
// ASSUME-LABEL: func.func @dynamic_length
// ASSUME-NOT: tensor<1x?x?xf32>
// ASSUME: attn.matmul %arg1, %arg2 transpose_lhs : tensor<1x?x16xf32>, tensor<1x?x16xf32> -> tensor<1x16x16xf32>
func.func @dynamic_length(%q: tensor<1x?x16xf32>, %k: tensor<1x?x16xf32>, %v: tensor<1x?x16xf32>) -> tensor<1x?x16xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x?x16xf32>, tensor<1x?x16xf32> -> tensor<1x?x?xf32>
  %o = attn.matmul %s, %v : tensor<1x?x?xf32>, tensor<1x?x16xf32> -> tensor<1x?x16xf32>
  return %o : tensor<1x?x16xf32>
}

// 1/n of a dynamic length (attn.divide_by_size) is a row scaling too.
// ASSUME-LABEL: func.func @divide_by_length
// ASSUME: attn.matmul %arg1, %arg2 transpose_lhs
// ASSUME: attn.divide_by_size
func.func @divide_by_length(%q: tensor<1x?x8xf32>, %k: tensor<1x?x8xf32>, %v: tensor<1x?x8xf32>) -> tensor<1x?x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x?x8xf32>, tensor<1x?x8xf32> -> tensor<1x?x?xf32>
  %n = attn.divide_by_size %s, %k {dim = 1 : i64} : (tensor<1x?x?xf32>, tensor<1x?x8xf32>) -> tensor<1x?x?xf32>
  %o = attn.matmul %n, %v : tensor<1x?x?xf32>, tensor<1x?x8xf32> -> tensor<1x?x8xf32>
  return %o : tensor<1x?x8xf32>
}

// Declined: a softmax in between.
// CHECK-LABEL: func.func @softmax_between
// CHECK: attn.softmax
// CHECK: attn.matmul %{{.*}}, %arg2 : tensor<1x256x256xf32>
func.func @softmax_between(%q: tensor<1x256x8xf32>, %k: tensor<1x256x8xf32>, %v: tensor<1x256x8xf32>) -> tensor<1x256x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x256x8xf32>, tensor<1x256x8xf32> -> tensor<1x256x256xf32>
  %p = attn.softmax %s : tensor<1x256x256xf32>
  %o = attn.matmul %p, %v : tensor<1x256x256xf32>, tensor<1x256x8xf32> -> tensor<1x256x8xf32>
  return %o : tensor<1x256x8xf32>
}

// Declined: a causal mask in between.
// CHECK-LABEL: func.func @mask_between
// CHECK: attn.causal_mask
func.func @mask_between(%q: tensor<1x256x8xf32>, %k: tensor<1x256x8xf32>, %v: tensor<1x256x8xf32>) -> tensor<1x256x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x256x8xf32>, tensor<1x256x8xf32> -> tensor<1x256x256xf32>
  %m = attn.causal_mask %s fill zero : tensor<1x256x256xf32>
  %o = attn.matmul %m, %v : tensor<1x256x256xf32>, tensor<1x256x8xf32> -> tensor<1x256x8xf32>
  return %o : tensor<1x256x8xf32>
}

// Declined: T = 4 < d = 64 makes the d x d intermediate the larger one.
// CHECK-LABEL: func.func @short_sequence
// CHECK: -> tensor<2x4x4xf32>
func.func @short_sequence(%q: tensor<2x4x64xf32>, %k: tensor<2x4x64xf32>, %v: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<2x4x64xf32>, tensor<2x4x64xf32> -> tensor<2x4x4xf32>
  %o = attn.matmul %s, %v : tensor<2x4x4xf32>, tensor<2x4x64xf32> -> tensor<2x4x64xf32>
  return %o : tensor<2x4x64xf32>
}

// Declined: the product is also returned, so it is formed anyway.
// CHECK-LABEL: func.func @product_returned
// CHECK: %[[S:.*]] = attn.matmul %arg0, %arg1 transpose_rhs
// CHECK: attn.matmul %[[S]], %arg2
func.func @product_returned(%q: tensor<1x64x8xf32>, %k: tensor<1x64x8xf32>, %v: tensor<1x64x8xf32>) -> (tensor<1x64x8xf32>, tensor<1x64x64xf32>) {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x64x8xf32>, tensor<1x64x8xf32> -> tensor<1x64x64xf32>
  %o = attn.matmul %s, %v : tensor<1x64x64xf32>, tensor<1x64x8xf32> -> tensor<1x64x8xf32>
  return %o, %s : tensor<1x64x8xf32>, tensor<1x64x64xf32>
}
