// Retention whose decays are so small that decay^C underflows to 0 in
// double for the chunk sizes the test uses (1e-6^64 = 1e-384, 1e-3^128 =
// 1e-384); the exclusive prefix over chunks then carries nothing.
func.func @tiny(%q: tensor<1x2x?x4xf32> {attn.name = "q"}, %k: tensor<1x2x?x4xf32> {attn.name = "k"}, %v: tensor<1x2x?x3xf32> {attn.name = "v"}) -> tensor<1x2x?x3xf32> {
  %kx = attn.expand_dims %k {dim = 4 : i64} : tensor<1x2x?x4xf32> -> tensor<1x2x?x4x1xf32>
  %vx = attn.expand_dims %v {dim = 3 : i64} : tensor<1x2x?x3xf32> -> tensor<1x2x?x1x3xf32>
  %outer = attn.matmul %kx, %vx : tensor<1x2x?x4x1xf32>, tensor<1x2x?x1x3xf32> -> tensor<1x2x?x4x3xf32>
  %s = attn.cumsum %outer {dim = 2 : i64, decays = array<f64: 1.0e-6, 1.0e-3>, decays_dim = 1 : i64} : tensor<1x2x?x4x3xf32>
  %qx = attn.expand_dims %q {dim = 3 : i64} : tensor<1x2x?x4xf32> -> tensor<1x2x?x1x4xf32>
  %ox = attn.matmul %qx, %s : tensor<1x2x?x1x4xf32>, tensor<1x2x?x4x3xf32> -> tensor<1x2x?x1x3xf32>
  %o = attn.squeeze %ox {dim = 3 : i64} : tensor<1x2x?x1x3xf32> -> tensor<1x2x?x3xf32>
  return %o : tensor<1x2x?x3xf32>
}

func.func @single(%q: tensor<1x1x?x4xf32> {attn.name = "q"}, %k: tensor<1x1x?x4xf32> {attn.name = "k"}, %v: tensor<1x1x?x3xf32> {attn.name = "v"}) -> tensor<1x1x?x3xf32> {
  %kx = attn.expand_dims %k {dim = 4 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x?x4x1xf32>
  %vx = attn.expand_dims %v {dim = 3 : i64} : tensor<1x1x?x3xf32> -> tensor<1x1x?x1x3xf32>
  %outer = attn.matmul %kx, %vx : tensor<1x1x?x4x1xf32>, tensor<1x1x?x1x3xf32> -> tensor<1x1x?x4x3xf32>
  %s = attn.cumsum %outer {dim = 2 : i64, decay = 1.0e-6 : f64} : tensor<1x1x?x4x3xf32>
  %qx = attn.expand_dims %q {dim = 3 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x?x1x4xf32>
  %ox = attn.matmul %qx, %s : tensor<1x1x?x1x4xf32>, tensor<1x1x?x4x3xf32> -> tensor<1x1x?x1x3xf32>
  %o = attn.squeeze %ox {dim = 3 : i64} : tensor<1x1x?x1x3xf32> -> tensor<1x1x?x3xf32>
  return %o : tensor<1x1x?x3xf32>
}
