// Causal linear attention plus a global (non-causal) summary of the values:
// no decode state carries the sum over future positions.
func.func @mixed(%q: tensor<1x2x?x8xf32> {attn.name = "q"}, %k: tensor<1x2x?x8xf32> {attn.name = "k"}, %v: tensor<1x2x?x8xf32> {attn.name = "v"}) -> tensor<1x2x?x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  %g = attn.matmul %k, %v transpose_lhs : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32> -> tensor<1x2x8x8xf32>
  %p = attn.matmul %q, %g : tensor<1x2x?x8xf32>, tensor<1x2x8x8xf32> -> tensor<1x2x?x8xf32>
  %r = attn.add %o, %p : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %r : tensor<1x2x?x8xf32>
}
