// attn.attention expands into primitives, exactly.
// RUN: attn-opt %s --attn-decompose | FileCheck %s
// RUN: attn-opt %s --attn-decompose -o %t.mlir
// RUN: for f in softmax softmax_causal_scaled elu relu_causal dynamic_scaled chained; do \
// RUN:   attn-run %t.mlir --entry $f --dynamic-size 19 --compare %s || echo "FAILED $f"; \
// RUN: done 2>&1 | FileCheck %s --check-prefix=AGREE --implicit-check-not=FAIL
// AGREE-COUNT-6: compare result 0: {{.*}}: ok

// CHECK-LABEL: func.func @softmax
// CHECK: %[[S:.*]] = attn.matmul %arg0, %arg1 transpose_rhs : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x16xf32>
// CHECK: %[[SC:.*]] = attn.scale %[[S]] by 0.35355339059327373 : tensor<2x4x16x16xf32>
// CHECK: %[[P:.*]] = attn.softmax %[[SC]] : tensor<2x4x16x16xf32>
// CHECK: %[[O:.*]] = attn.matmul %[[P]], %arg2 : tensor<2x4x16x16xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x8xf32>
// CHECK: return %[[O]]
func.func @softmax(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>, %v: tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// CHECK-LABEL: func.func @softmax_causal_scaled
// CHECK: attn.scale %{{.*}} by 2.500000e-01
// CHECK: attn.causal_mask %{{.*}} fill lowest
// CHECK: attn.softmax
func.func @softmax_causal_scaled(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32> {
  %o = attn.attention softmax %q, %k, %v causal scale 0.25 : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32>
  return %o : tensor<1x2x?x4xf32>
}

// CHECK-LABEL: func.func @elu
// CHECK-DAG: %[[FQ:.*]] = attn.feature_map elu_plus_one %arg0
// CHECK-DAG: %[[FK:.*]] = attn.feature_map elu_plus_one %arg1
// CHECK: %[[SCORES:.*]] = attn.matmul %[[FQ]], %[[FK]] transpose_rhs : tensor<1x3x?x8xf32>, tensor<1x3x?x8xf32> -> tensor<1x3x?x?xf32>
// CHECK-DAG: %[[NUM:.*]] = attn.matmul %[[SCORES]], %arg2
// CHECK-DAG: %[[DEN:.*]] = attn.row_sum %[[SCORES]] :
// CHECK: attn.normalize %[[NUM]], %[[DEN]] : (tensor<1x3x?x8xf32>, tensor<1x3x?x1xf32>) -> tensor<1x3x?x8xf32>
func.func @elu(%q: tensor<1x3x?x8xf32>, %k: tensor<1x3x?x8xf32>, %v: tensor<1x3x?x8xf32>) -> tensor<1x3x?x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<1x3x?x8xf32>, tensor<1x3x?x8xf32>, tensor<1x3x?x8xf32>) -> tensor<1x3x?x8xf32>
  return %o : tensor<1x3x?x8xf32>
}

// CHECK-LABEL: func.func @relu_causal
// CHECK: attn.feature_map relu
// CHECK: attn.causal_mask %{{.*}} fill zero
// CHECK: attn.normalize
func.func @relu_causal(%q: tensor<2x?x8xf32>, %k: tensor<2x?x8xf32>, %v: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %o = attn.attention relu %q, %k, %v causal : (tensor<2x?x8xf32>, tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  return %o : tensor<2x?x8xf32>
}

// A dynamic head size with an explicit scale expands.
// CHECK-LABEL: func.func @dynamic_scaled
// CHECK-NOT: attn.attention
func.func @dynamic_scaled(%q: tensor<1x?x?xf32>, %k: tensor<1x?x?xf32>, %v: tensor<1x?x?xf32>) -> tensor<1x?x?xf32> {
  %o = attn.attention softmax %q, %k, %v scale 0.5 : (tensor<1x?x?xf32>, tensor<1x?x?xf32>, tensor<1x?x?xf32>) -> tensor<1x?x?xf32>
  return %o : tensor<1x?x?xf32>
}

// Without a scale, 1/sqrt(d) of a dynamic d is no constant: left alone.
// CHECK-LABEL: func.func @dynamic_unscaled
// CHECK: attn.attention softmax
func.func @dynamic_unscaled(%q: tensor<1x?x?xf32>, %k: tensor<1x?x?xf32>, %v: tensor<1x?x?xf32>) -> tensor<1x?x?xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<1x?x?xf32>, tensor<1x?x?xf32>, tensor<1x?x?xf32>) -> tensor<1x?x?xf32>
  return %o : tensor<1x?x?xf32>
}

// Two attentions in one function, the second reading the first.
// CHECK-LABEL: func.func @chained
// CHECK-NOT: attn.attention
// CHECK: attn.softmax
// CHECK: attn.normalize
func.func @chained(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %a = attn.attention softmax %q, %k, %v causal : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  %b = attn.attention elu_plus_one %a, %k, %a : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %b : tensor<1x2x?x8xf32>
}
