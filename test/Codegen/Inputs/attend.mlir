func.func @attend(%q: tensor<1x2x?x8xf32> {attn.name = "q"},
                  %k: tensor<1x2x?x8xf32> {attn.name = "k"},
                  %v: tensor<1x2x?x8xf32> {attn.name = "v"}) -> tensor<1x2x?x8xf32> {
  %o = attn.attention softmax %q, %k, %v causal
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}
