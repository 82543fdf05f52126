func.func @soft(%q: tensor<2x40x8xf64>, %k: tensor<2x40x8xf64>, %v: tensor<2x40x8xf64>) -> tensor<2x40x8xf64> {
  %o = attn.attention softmax %q, %k, %v : (tensor<2x40x8xf64>, tensor<2x40x8xf64>, tensor<2x40x8xf64>) -> tensor<2x40x8xf64>
  return %o : tensor<2x40x8xf64>
}
