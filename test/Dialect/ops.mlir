// Every op prints and parses back to the same text, in custom and generic form.
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// CHECK-LABEL: func.func @contractions
func.func @contractions(%a: tensor<1x8x?x64xf32>, %b: tensor<1x8x?x64xf32>, %c: tensor<2x1x64x16xf32>) -> (tensor<1x8x?x?xf32>, tensor<1x8x64x64xf32>, tensor<2x8x?x16xf32>, tensor<1x8x64x?xf32>) {
  // CHECK: attn.matmul %{{.*}}, %{{.*}} transpose_rhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x?xf32>
  %s = attn.matmul %a, %b transpose_rhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x?xf32>
  // CHECK: attn.matmul %{{.*}}, %{{.*}} transpose_lhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x64x64xf32>
  %kv = attn.matmul %a, %b transpose_lhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x64x64xf32>
  // CHECK: attn.matmul %{{.*}}, %{{.*}} : tensor<1x8x?x64xf32>, tensor<2x1x64x16xf32> -> tensor<2x8x?x16xf32>
  %bc = attn.matmul %a, %c : tensor<1x8x?x64xf32>, tensor<2x1x64x16xf32> -> tensor<2x8x?x16xf32>
  // CHECK: attn.transpose %{{.*}} [0, 1, 3, 2] : tensor<1x8x?x64xf32> -> tensor<1x8x64x?xf32>
  %t = attn.transpose %a [0, 1, 3, 2] : tensor<1x8x?x64xf32> -> tensor<1x8x64x?xf32>
  return %s, %kv, %bc, %t : tensor<1x8x?x?xf32>, tensor<1x8x64x64xf32>, tensor<2x8x?x16xf32>, tensor<1x8x64x?xf32>
}

// CHECK-LABEL: func.func @normalisations
func.func @normalisations(%x: tensor<2x4x16x8xf32>, %g: tensor<8xf32>, %den: tensor<2x4x16x1xf32>) -> (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) {
  // CHECK: attn.softmax %{{.*}} : tensor<2x4x16x8xf32>
  %0 = attn.softmax %x : tensor<2x4x16x8xf32>
  // CHECK: attn.softmax %{{.*}} {dim = 2 : i64} : tensor<2x4x16x8xf32>
  %1 = attn.softmax %x {dim = 2 : i64} : tensor<2x4x16x8xf32>
  // CHECK: attn.causal_mask %{{.*}} fill zero : tensor<2x4x16x8xf32>
  %2 = attn.causal_mask %x fill zero : tensor<2x4x16x8xf32>
  // CHECK: attn.causal_mask %{{.*}} fill lowest : tensor<2x4x16x8xf32>
  %3 = attn.causal_mask %x fill lowest : tensor<2x4x16x8xf32>
  // CHECK: attn.layer_norm %{{.*}} : (tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  %4 = attn.layer_norm %x : (tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  // CHECK: attn.layer_norm %{{.*}} affine(%{{.*}}, %{{.*}}) {eps = 1.000000e-03 : f64} : (tensor<2x4x16x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x16x8xf32>
  %5 = attn.layer_norm %x affine(%g, %g) {eps = 1.0e-3 : f64} : (tensor<2x4x16x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x16x8xf32>
  // CHECK: attn.rms_norm %{{.*}} affine(%{{.*}}) : (tensor<2x4x16x8xf32>, tensor<8xf32>) -> tensor<2x4x16x8xf32>
  %6 = attn.rms_norm %x affine(%g) : (tensor<2x4x16x8xf32>, tensor<8xf32>) -> tensor<2x4x16x8xf32>
  // CHECK: attn.normalize %{{.*}}, %{{.*}} {eps = 0.000000e+00 : f64} : (tensor<2x4x16x8xf32>, tensor<2x4x16x1xf32>) -> tensor<2x4x16x8xf32>
  %7 = attn.normalize %x, %den {eps = 0.0 : f64} : (tensor<2x4x16x8xf32>, tensor<2x4x16x1xf32>) -> tensor<2x4x16x8xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>
}

// CHECK-LABEL: func.func @maps_and_sums
func.func @maps_and_sums(%x: tensor<1x2x?x8xf64>, %w: tensor<16x8xf64>) -> (tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x16xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x1xf64>, tensor<1x2x1x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>) {
  // CHECK: attn.feature_map identity %{{.*}} : tensor<1x2x?x8xf64> -> tensor<1x2x?x8xf64>
  %0 = attn.feature_map identity %x : tensor<1x2x?x8xf64> -> tensor<1x2x?x8xf64>
  // CHECK: attn.feature_map relu
  %1 = attn.feature_map relu %x : tensor<1x2x?x8xf64> -> tensor<1x2x?x8xf64>
  // CHECK: attn.feature_map elu_plus_one
  %2 = attn.feature_map elu_plus_one %x : tensor<1x2x?x8xf64> -> tensor<1x2x?x8xf64>
  // CHECK: attn.feature_map exp
  %3 = attn.feature_map exp %x : tensor<1x2x?x8xf64> -> tensor<1x2x?x8xf64>
  // CHECK: attn.feature_map favor %{{.*}}, %{{.*}} : tensor<1x2x?x8xf64>, tensor<16x8xf64> -> tensor<1x2x?x16xf64>
  %4 = attn.feature_map favor %x, %w : tensor<1x2x?x8xf64>, tensor<16x8xf64> -> tensor<1x2x?x16xf64>
  // CHECK: attn.scale %{{.*}} by 1.250000e-01 : tensor<1x2x?x8xf64>
  %5 = attn.scale %x by 0.125 : tensor<1x2x?x8xf64>
  // CHECK: attn.row_sum %{{.*}} : tensor<1x2x?x8xf64> -> tensor<1x2x?x1xf64>
  %6 = attn.row_sum %x : tensor<1x2x?x8xf64> -> tensor<1x2x?x1xf64>
  // CHECK: attn.row_sum %{{.*}} {dim = 2 : i64} : tensor<1x2x?x8xf64> -> tensor<1x2x1x8xf64>
  %7 = attn.row_sum %x {dim = 2 : i64} : tensor<1x2x?x8xf64> -> tensor<1x2x1x8xf64>
  // CHECK: attn.cumsum %{{.*}} {dim = 2 : i64} : tensor<1x2x?x8xf64>
  %8 = attn.cumsum %x {dim = 2 : i64} : tensor<1x2x?x8xf64>
  // CHECK: attn.cumsum %{{.*}} {decay = 9.000000e-01 : f64, dim = 2 : i64, exclusive} : tensor<1x2x?x8xf64>
  %9 = attn.cumsum %x {dim = 2 : i64, exclusive, decay = 0.9 : f64} : tensor<1x2x?x8xf64>
  // CHECK: attn.cumsum %{{.*}} {decays = array<f64: 5.000000e-01, 7.500000e-01>, decays_dim = 1 : i64, dim = 2 : i64} : tensor<1x2x?x8xf64>
  %10 = attn.cumsum %x {dim = 2 : i64, decays = array<f64: 0.5, 0.75>, decays_dim = 1 : i64} : tensor<1x2x?x8xf64>
  // CHECK: attn.cumsum %{{.*}} init %{{.*}} {decay = 5.000000e-01 : f64, dim = 2 : i64} : tensor<1x2x?x8xf64>, tensor<1x2x1x8xf64>
  %11 = attn.cumsum %x init %7 {dim = 2 : i64, decay = 0.5} : tensor<1x2x?x8xf64>, tensor<1x2x1x8xf64>
  // CHECK: attn.last %{{.*}} {dim = 2 : i64} : tensor<1x2x?x8xf64> -> tensor<1x2x1x8xf64>
  %12 = attn.last %11 {dim = 2 : i64} : tensor<1x2x?x8xf64> -> tensor<1x2x1x8xf64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x16xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x1xf64>, tensor<1x2x1x8xf64>, tensor<1x2x?x8xf64>, tensor<1x2x?x8xf64>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x4x?x16x32xf32>, %k: tensor<1x4x3x5x1xf32>) -> tensor<1x4x?x16x32xf32> {
  // CHECK: attn.depthwise_conv2d %{{.*}}, %{{.*}} : tensor<1x4x?x16x32xf32>, tensor<1x4x3x5x1xf32> -> tensor<1x4x?x16x32xf32>
  %y = attn.depthwise_conv2d %x, %k : tensor<1x4x?x16x32xf32>, tensor<1x4x3x5x1xf32> -> tensor<1x4x?x16x32xf32>
  return %y : tensor<1x4x?x16x32xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<4x8xf32>, %b: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // CHECK: attn.exp
  %0 = attn.exp %a : tensor<4x8xf32>
  // CHECK: attn.sigmoid
  %1 = attn.sigmoid %0 : tensor<4x8xf32>
  // CHECK: attn.silu
  %2 = attn.silu %1 : tensor<4x8xf32>
  // CHECK: attn.relu
  %3 = attn.relu %2 : tensor<4x8xf32>
  // CHECK: attn.square
  %4 = attn.square %3 : tensor<4x8xf32>
  // CHECK: attn.neg %{{.*}} : tensor<4x8xf32>
  %5 = attn.neg %4 : tensor<4x8xf32>
  // CHECK: attn.add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %6 = attn.add %5, %b : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK: attn.sub
  %7 = attn.sub %6, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: attn.mul
  %8 = attn.mul %7, %b : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK: attn.div
  %9 = attn.div %8, %b : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  // CHECK: attn.max
  %10 = attn.max %9, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %10 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @composite
func.func @composite(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x32xf32>) -> (tensor<1x8x?x32xf32>, tensor<1x8x?x32xf32>, tensor<1x8x?x32xf32>) {
  // CHECK: attn.attention softmax %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x32xf32>) -> tensor<1x8x?x32xf32>
  %0 = attn.attention softmax %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x32xf32>) -> tensor<1x8x?x32xf32>
  // CHECK: attn.attention softmax %{{.*}}, %{{.*}}, %{{.*}} causal scale 1.250000e-01
  %1 = attn.attention softmax %q, %k, %v causal scale 0.125 : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x32xf32>) -> tensor<1x8x?x32xf32>
  // CHECK: attn.attention elu_plus_one %{{.*}}, %{{.*}}, %{{.*}} causal :
  %2 = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x32xf32>) -> tensor<1x8x?x32xf32>
  return %0, %1, %2 : tensor<1x8x?x32xf32>, tensor<1x8x?x32xf32>, tensor<1x8x?x32xf32>
}

// CHECK-LABEL: func.func @sizes
func.func @sizes(%x: tensor<1x?x4xf32>, %k: tensor<1x?x4xf32>) -> tensor<1x?x4xf32> {
  // CHECK: attn.divide_by_size %{{.*}}, %{{.*}} {dim = 1 : i64} : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %o = attn.divide_by_size %x, %k {dim = 1 : i64} : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  return %o : tensor<1x?x4xf32>
}

// CHECK-LABEL: func.func @assert_size
func.func @assert_size(%k: tensor<1x?x4xf32>, %v: tensor<1x?x2xf32>) -> tensor<1x?x4xf32> {
  // CHECK: attn.assert_size %{{.*}}[1] == %{{.*}}[1] : tensor<1x?x4xf32>, tensor<1x?x2xf32>
  attn.assert_size %k[1] == %v[1] : tensor<1x?x4xf32>, tensor<1x?x2xf32>
  // CHECK: attn.assert_size %{{.*}}[1] == 64 : tensor<1x?x4xf32>
  attn.assert_size %k[1] == 64 : tensor<1x?x4xf32>
  return %k : tensor<1x?x4xf32>
}
