// Functions compiled for CUDA and for the CPU by test/GpuCheck, which runs
// both on the same inputs (the CPU kernels are checked against the
// reference interpreter elsewhere). All take q, k, v [2, 4, T, 32].

func.func @softmax(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

func.func @softmax_causal(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

func.func @linear(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

// Chunked (chunks of 16) by --attn-linearize.
func.func @linear_causal(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

func.func @galerkin(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %kn = attn.layer_norm %k : (tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  %vn = attn.layer_norm %v : (tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  %kv = attn.matmul %kn, %vn transpose_lhs : tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32> -> tensor<2x4x32x32xf32>
  %o = attn.matmul %q, %kv : tensor<2x4x?x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x4x?x32xf32>
  %on = attn.divide_by_size %o, %k {dim = 2 : i64} : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %on : tensor<2x4x?x32xf32>
}

// RetNet's recurrence, one decay per head (chunked by --attn-linearize).
func.func @retnet(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %kx = attn.expand_dims %k {dim = 4 : i64} : tensor<2x4x?x32xf32> -> tensor<2x4x?x32x1xf32>
  %vx = attn.expand_dims %v {dim = 3 : i64} : tensor<2x4x?x32xf32> -> tensor<2x4x?x1x32xf32>
  %outer = attn.matmul %kx, %vx : tensor<2x4x?x32x1xf32>, tensor<2x4x?x1x32xf32> -> tensor<2x4x?x32x32xf32>
  %s = attn.cumsum %outer {dim = 2 : i64, decays = array<f64: 0.96875, 0.984375, 0.9921875, 0.99609375>, decays_dim = 1 : i64} : tensor<2x4x?x32x32xf32>
  %qx = attn.expand_dims %q {dim = 3 : i64} : tensor<2x4x?x32xf32> -> tensor<2x4x?x1x32xf32>
  %ox = attn.matmul %qx, %s : tensor<2x4x?x1x32xf32>, tensor<2x4x?x32x32xf32> -> tensor<2x4x?x1x32xf32>
  %o = attn.squeeze %ox {dim = 3 : i64} : tensor<2x4x?x1x32xf32> -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

func.func @aft_simple(%q: tensor<2x4x?x32xf32>, %k: tensor<2x4x?x32xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %ek = attn.exp %k : tensor<2x4x?x32xf32>
  %ekv = attn.mul %ek, %v : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  %num = attn.row_sum %ekv {dim = 2 : i64} : tensor<2x4x?x32xf32> -> tensor<2x4x1x32xf32>
  %den = attn.row_sum %ek {dim = 2 : i64} : tensor<2x4x?x32xf32> -> tensor<2x4x1x32xf32>
  %r = attn.div %num, %den : (tensor<2x4x1x32xf32>, tensor<2x4x1x32xf32>) -> tensor<2x4x1x32xf32>
  %g = attn.sigmoid %q : tensor<2x4x?x32xf32>
  %o = attn.mul %g, %r : (tensor<2x4x?x32xf32>, tensor<2x4x1x32xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}
