func.func @attention(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>) -> tensor<2x4x?x64xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>) -> tensor<2x4x?x64xf32>
  return %o : tensor<2x4x?x64xf32>
}
