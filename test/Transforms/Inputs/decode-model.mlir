// A causal linear-attention layer; attn-derive-decode adds @lm_prefill and
// @lm_step.
func.func @lm(%q: tensor<1x2x?x8xf32> {attn.name = "q"}, %k: tensor<1x2x?x8xf32> {attn.name = "k"}, %v: tensor<1x2x?x6xf32> {attn.name = "v"}) -> tensor<1x2x?x6xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x6xf32>) -> tensor<1x2x?x6xf32>
  return %o : tensor<1x2x?x6xf32>
}
