// Softmax attention with heads of 32, 64 and 128 (the sizes the GPU's online
// form is made for), plain and causal.
func.func @softmax32(%q: tensor<2x3x?x32xf32>, %k: tensor<2x3x?x32xf32>, %v: tensor<2x3x?x32xf32>) -> tensor<2x3x?x32xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<2x3x?x32xf32>, tensor<2x3x?x32xf32>, tensor<2x3x?x32xf32>) -> tensor<2x3x?x32xf32>
  return %o : tensor<2x3x?x32xf32>
}
func.func @causal32(%q: tensor<2x3x?x32xf32>, %k: tensor<2x3x?x32xf32>, %v: tensor<2x3x?x32xf32>) -> tensor<2x3x?x32xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<2x3x?x32xf32>, tensor<2x3x?x32xf32>, tensor<2x3x?x32xf32>) -> tensor<2x3x?x32xf32>
  return %o : tensor<2x3x?x32xf32>
}
func.func @softmax64(%q: tensor<1x2x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  return %o : tensor<1x2x?x64xf32>
}
func.func @causal64(%q: tensor<1x2x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  return %o : tensor<1x2x?x64xf32>
}
func.func @softmax128(%q: tensor<1x2x?x128xf32>, %k: tensor<1x2x?x128xf32>, %v: tensor<1x2x?x128xf32>) -> tensor<1x2x?x128xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>) -> tensor<1x2x?x128xf32>
  return %o : tensor<1x2x?x128xf32>
}
func.func @causal128(%q: tensor<1x2x?x128xf32>, %k: tensor<1x2x?x128xf32>, %v: tensor<1x2x?x128xf32>) -> tensor<1x2x?x128xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>) -> tensor<1x2x?x128xf32>
  return %o : tensor<1x2x?x128xf32>
}
