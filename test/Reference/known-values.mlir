// The interpreter (and the compiled kernels, on the same inputs) on small
// cases whose values are computed by hand in the comments.
// RUN: for f in matmul matmul_t softmax mask_zero mask_lowest layer_norm rms_norm normalize features favor sums cumsums unary binary att_softmax att_causal att_elu att_elu_causal; do echo "== $f"; attn-run %s --entry $f --print-values; done | FileCheck %s
// RUN: for f in matmul matmul_t softmax mask_zero mask_lowest layer_norm rms_norm normalize features favor sums cumsums unary binary att_softmax att_causal att_elu att_elu_causal; do echo "== $f"; attn-run %s --entry $f --print-values --backend=halide; done | FileCheck %s

// [[1,2],[3,4]] [[5,6],[7,8]] = [[19,22],[43,50]]
// CHECK-LABEL: == matmul
// CHECK: values: 19 22 43 50
func.func @matmul() -> tensor<1x2x2xf32> {
  %a = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %b = arith.constant dense<[[[5.0, 6.0], [7.0, 8.0]]]> : tensor<1x2x2xf32>
  %c = attn.matmul %a, %b : tensor<1x2x2xf32>, tensor<1x2x2xf32> -> tensor<1x2x2xf32>
  return %c : tensor<1x2x2xf32>
}

// A B^T = [[1*5+2*6, 1*7+2*8], [3*5+4*6, 3*7+4*8]]; A^T B = [[26,30],[38,44]]
// CHECK-LABEL: == matmul_t
// CHECK: result 0
// CHECK-NEXT: values: 17 23 39 53
// CHECK: result 1
// CHECK-NEXT: values: 26 30 38 44
func.func @matmul_t() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %c = attn.matmul %a, %b transpose_rhs : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  %d = attn.matmul %a, %b transpose_lhs : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %c, %d : tensor<2x2xf32>, tensor<2x2xf32>
}

// Equal logits share evenly; logits (0, ln 2) give (1/3, 2/3); along dim 0
// of [[0, 5], [0, 5]] every column is even.
// CHECK-LABEL: == softmax
// CHECK: values: 0.25 0.25 0.25 0.25
// CHECK: values: 0.333333 0.666667
// CHECK: values: 0.5 0.5 0.5 0.5
func.func @softmax() -> (tensor<4xf32>, tensor<2xf32>, tensor<2x2xf32>) {
  %a = arith.constant dense<1.0> : tensor<4xf32>
  %b = arith.constant dense<[0.0, 0.693147180559945]> : tensor<2xf32>
  %c = arith.constant dense<[[0.0, 5.0], [0.0, 5.0]]> : tensor<2x2xf32>
  %x = attn.softmax %a : tensor<4xf32>
  %y = attn.softmax %b : tensor<2xf32>
  %z = attn.softmax %c {dim = 0 : i64} : tensor<2x2xf32>
  return %x, %y, %z : tensor<4xf32>, tensor<2xf32>, tensor<2x2xf32>
}

// Entries above the diagonal become 0, or the lowest finite float.
// CHECK-LABEL: == mask_zero
// CHECK: values: 1 0 0 4 5 0 7 8 9
func.func @mask_zero() -> tensor<3x3xf32> {
  %a = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]> : tensor<3x3xf32>
  %m = attn.causal_mask %a fill zero : tensor<3x3xf32>
  return %m : tensor<3x3xf32>
}

// CHECK-LABEL: == mask_lowest
// CHECK: values: 1 -3.40282e+38 3 4
func.func @mask_lowest() -> tensor<2x2xf32> {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %m = attn.causal_mask %a fill lowest : tensor<2x2xf32>
  return %m : tensor<2x2xf32>
}

// [1,2,3,4]: mean 2.5, variance 1.25, (x - 2.5) / sqrt(1.25 + 1e-5);
// with gamma = 2, beta = 1: 2 y + 1.
// CHECK-LABEL: == layer_norm
// CHECK: values: -1.34164 -0.447212 0.447212 1.34164
// CHECK: values: -1.68327 0.105576 1.89442 3.68327
func.func @layer_norm() -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %a = arith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %g = arith.constant dense<2.0> : tensor<4xf32>
  %b = arith.constant dense<1.0> : tensor<4xf32>
  %x = attn.layer_norm %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = attn.layer_norm %a affine(%g, %b) : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %x, %y : tensor<1x4xf32>, tensor<1x4xf32>
}

// [3,4]: mean square 12.5, x / sqrt(12.5 + 1e-6).
// CHECK-LABEL: == rms_norm
// CHECK: values: 0.848528 1.13137
func.func @rms_norm() -> tensor<1x2xf32> {
  %a = arith.constant dense<[[3.0, 4.0]]> : tensor<1x2xf32>
  %x = attn.rms_norm %a : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %x : tensor<1x2xf32>
}

// [[2,4],[3,6]] / ([[2],[3]] + 0) = [[1,2],[1,2]]
// CHECK-LABEL: == normalize
// CHECK: values: 1 2 1 2
func.func @normalize() -> tensor<2x2xf32> {
  %n = arith.constant dense<[[2.0, 4.0], [3.0, 6.0]]> : tensor<2x2xf32>
  %d = arith.constant dense<[[2.0], [3.0]]> : tensor<2x1xf32>
  %o = attn.normalize %n, %d {eps = 0.0 : f64} : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  return %o : tensor<2x2xf32>
}

// x = [-1, 0, 2]: elu+1 = [e^-1, 1, 3]; relu = [0, 0, 2]; exp = [e^-1, 1, e^2]
// CHECK-LABEL: == features
// CHECK: values: 0.367879 1 3
// CHECK: values: 0 0 2
// CHECK: values: 0.367879 1 7.38906
// CHECK: values: -1 0 2
func.func @features() -> (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>) {
  %x = arith.constant dense<[[-1.0, 0.0, 2.0]]> : tensor<1x3xf32>
  %a = attn.feature_map elu_plus_one %x : tensor<1x3xf32> -> tensor<1x3xf32>
  %b = attn.feature_map relu %x : tensor<1x3xf32> -> tensor<1x3xf32>
  %c = attn.feature_map exp %x : tensor<1x3xf32> -> tensor<1x3xf32>
  %d = attn.feature_map identity %x : tensor<1x3xf32> -> tensor<1x3xf32>
  return %a, %b, %c, %d : tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>
}

// x = [1, 0], W = [[1,0],[0,1],[1,1]] (m = 3): |x|^2/2 = 0.5,
// phi = 3^-1/2 exp([1, 0, 1] - 0.5) = [0.95189, 0.350181, 0.95189]
// CHECK-LABEL: == favor
// CHECK: values: 0.95189 0.350181 0.95189
func.func @favor() -> tensor<1x3xf32> {
  %x = arith.constant dense<[[1.0, 0.0]]> : tensor<1x2xf32>
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %f = attn.feature_map favor %x, %w : tensor<1x2xf32>, tensor<3x2xf32> -> tensor<1x3xf32>
  return %f : tensor<1x3xf32>
}

// Rows of [[1,2],[3,4]] sum to [3, 7], columns to [4, 6]; 0.5 x = [0.5 1 1.5 2]
// CHECK-LABEL: == sums
// CHECK: values: 3 7
// CHECK: values: 4 6
// CHECK: values: 0.5 1 1.5 2
func.func @sums() -> (tensor<2x1xf32>, tensor<1x2xf32>, tensor<2x2xf32>) {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %r = attn.row_sum %a : tensor<2x2xf32> -> tensor<2x1xf32>
  %c = attn.row_sum %a {dim = 0 : i64} : tensor<2x2xf32> -> tensor<1x2xf32>
  %s = attn.scale %a by 0.5 : tensor<2x2xf32>
  return %r, %c, %s : tensor<2x1xf32>, tensor<1x2xf32>, tensor<2x2xf32>
}

// [1,2,3,4]: inclusive [1,3,6,10]; exclusive [0,1,3,6];
// decay 0.5: y = 0.5 y + x -> [1, 2.5, 4.25, 6.125]; exclusive [0, 1, 2.5, 4.25]
// Along dim 0 of [[1,2],[3,4]]: [[1,2],[4,6]].
// CHECK-LABEL: == cumsums
// CHECK: values: 1 3 6 10
// CHECK: values: 0 1 3 6
// CHECK: values: 1 2.5 4.25 6.125
// CHECK: values: 0 1 2.5 4.25
// CHECK: values: 1 2 4 6
func.func @cumsums() -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<2x2xf32>) {
  %x = arith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %a = attn.cumsum %x {dim = 1 : i64} : tensor<1x4xf32>
  %b = attn.cumsum %x {dim = 1 : i64, exclusive} : tensor<1x4xf32>
  %c = attn.cumsum %x {dim = 1 : i64, decay = 0.5 : f64} : tensor<1x4xf32>
  %d = attn.cumsum %x {dim = -1 : i64, exclusive, decay = 0.5 : f64} : tensor<1x4xf32>
  %m = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = attn.cumsum %m {dim = 0 : i64} : tensor<2x2xf32>
  return %a, %b, %c, %d, %e : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<2x2xf32>
}

// x = [0, 1, -2]: exp [1, e, e^-2]; sigmoid [0.5, 0.731059, 0.119203];
// silu = x sigmoid(x) [0, 0.731059, -0.238406]; relu [0 1 0]; square [0 1 4]; neg
// CHECK-LABEL: == unary
// CHECK: values: 1 2.71828 0.135335
// CHECK: values: 0.5 0.731059 0.119203
// CHECK: values: 0 0.731059 -0.238406
// CHECK: values: 0 1 0
// CHECK: values: 0 1 4
// CHECK: values: -0 -1 2
func.func @unary() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = arith.constant dense<[0.0, 1.0, -2.0]> : tensor<3xf32>
  %a = attn.exp %x : tensor<3xf32>
  %b = attn.sigmoid %x : tensor<3xf32>
  %c = attn.silu %x : tensor<3xf32>
  %d = attn.relu %x : tensor<3xf32>
  %e = attn.square %x : tensor<3xf32>
  %f = attn.neg %x : tensor<3xf32>
  return %a, %b, %c, %d, %e, %f : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// a = [[1,2],[3,4]], b = [[10],[20]] broadcast along columns.
// CHECK-LABEL: == binary
// CHECK: values: 11 12 23 24
// CHECK: values: -9 -8 -17 -16
// CHECK: values: 10 20 60 80
// CHECK: values: 0.1 0.2 0.15 0.2
// CHECK: values: 10 10 20 20
func.func @binary() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %a = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
  %0 = attn.add %a, %b : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %1 = attn.sub %a, %b : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %2 = attn.mul %a, %b : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %3 = attn.div %a, %b : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %4 = attn.max %a, %b : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  return %0, %1, %2, %3, %4 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// Q = K = I (T = d = 2), V = [[1,2],[3,4]]. Softmax, scale 1/sqrt(2):
// row 0 weights softmax(0.707107, 0) = (0.669762, 0.330238)
//   -> [1.66048, 2.66048]; row 1 mirrored -> [2.33952, 3.33952].
// CHECK-LABEL: == att_softmax
// CHECK: values: 1.66048 2.66048 2.33952 3.33952
// Causal: row 0 sees only key 0 -> v0.
// CHECK-LABEL: == att_causal
// CHECK: values: 1 2 2.33952 3.33952
// elu+1: phi(Q) = phi(K) = [[2,1],[1,2]], scores [[5,4],[4,5]]:
//   row 0 (5 v0 + 4 v1) / 9 = [17/9, 26/9], row 1 [19/9, 28/9].
// CHECK-LABEL: == att_elu
// CHECK: values: 1.88889 2.88889 2.11111 3.11111
// CHECK-LABEL: == att_elu_causal
// CHECK: values: 1 2 2.11111 3.11111
func.func @att_softmax() -> tensor<2x2xf32> {
  %q = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %v = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %o = attn.attention softmax %q, %q, %v : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %o : tensor<2x2xf32>
}
func.func @att_causal() -> tensor<2x2xf32> {
  %q = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %v = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %o = attn.attention softmax %q, %q, %v causal : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %o : tensor<2x2xf32>
}
func.func @att_elu() -> tensor<2x2xf32> {
  %q = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %v = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %o = attn.attention elu_plus_one %q, %q, %v : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %o : tensor<2x2xf32>
}
func.func @att_elu_causal() -> tensor<2x2xf32> {
  %q = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %v = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %o = attn.attention elu_plus_one %q, %q, %v causal : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %o : tensor<2x2xf32>
}
