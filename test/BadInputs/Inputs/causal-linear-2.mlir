func.func @f(%q: tensor<1x1x?x2xf32> {attn.name = "q"}, %k: tensor<1x1x?x2xf32> {attn.name = "k"}, %v: tensor<1x1x?x2xf32> {attn.name = "v"}) -> tensor<1x1x?x2xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x1x?x2xf32>, tensor<1x1x?x2xf32>, tensor<1x1x?x2xf32>) -> tensor<1x1x?x2xf32>
  return %o : tensor<1x1x?x2xf32>
}
