// The softmax functions of ops.mlir with heads of 128: the GPU's online
// softmax takes 8 rows a warp there (test/GpuCheck/main.cpp).
func.func @softmax(%q: tensor<2x4x?x128xf32>, %k: tensor<2x4x?x128xf32>, %v: tensor<2x4x?x128xf32>) -> tensor<2x4x?x128xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<2x4x?x128xf32>, tensor<2x4x?x128xf32>, tensor<2x4x?x128xf32>) -> tensor<2x4x?x128xf32>
  return %o : tensor<2x4x?x128xf32>
}
func.func @softmax_causal(%q: tensor<2x4x?x128xf32>, %k: tensor<2x4x?x128xf32>, %v: tensor<2x4x?x128xf32>) -> tensor<2x4x?x128xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<2x4x?x128xf32>, tensor<2x4x?x128xf32>, tensor<2x4x?x128xf32>) -> tensor<2x4x?x128xf32>
  return %o : tensor<2x4x?x128xf32>
}
