// The attention of a causal linear-attention language-model layer
// (Katharopoulos et al. 2020), 8 heads of 64. The build derives
// @attention_prefill and @attention_step from it (attn-derive-decode) and
// makes every form linear-time and chunked (attn-linearize).
func.func @attention(%q: tensor<1x8x?x64xf32> {attn.name = "q"},
                     %k: tensor<1x8x?x64xf32> {attn.name = "k"},
                     %v: tensor<1x8x?x64xf32> {attn.name = "v"})
    -> tensor<1x8x?x64xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal
      : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
