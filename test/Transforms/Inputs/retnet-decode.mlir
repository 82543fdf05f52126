// RetNet retention, recurrent form with one decay per head
// (gamma_h = 1 - 2^(-5-h)); attn-derive-decode makes the scan start from a
// state and returns its last element.
func.func @retnet(%q: tensor<1x2x?x8xf32> {attn.name = "q"}, %k: tensor<1x2x?x8xf32> {attn.name = "k"}, %v: tensor<1x2x?x6xf32> {attn.name = "v"}) -> tensor<1x2x?x6xf32> {
  %kx = attn.expand_dims %k {dim = 4 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x8x1xf32>
  %vx = attn.expand_dims %v {dim = 3 : i64} : tensor<1x2x?x6xf32> -> tensor<1x2x?x1x6xf32>
  %outer = attn.matmul %kx, %vx : tensor<1x2x?x8x1xf32>, tensor<1x2x?x1x6xf32> -> tensor<1x2x?x8x6xf32>
  %s = attn.cumsum %outer {dim = 2 : i64, decays = array<f64: 0.96875, 0.984375>, decays_dim = 1 : i64} : tensor<1x2x?x8x6xf32>
  %qx = attn.expand_dims %q {dim = 3 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x1x8xf32>
  %ox = attn.matmul %qx, %s : tensor<1x2x?x1x8xf32>, tensor<1x2x?x8x6xf32> -> tensor<1x2x?x1x6xf32>
  %o = attn.squeeze %ox {dim = 3 : i64} : tensor<1x2x?x1x6xf32> -> tensor<1x2x?x6xf32>
  return %o : tensor<1x2x?x6xf32>
}
