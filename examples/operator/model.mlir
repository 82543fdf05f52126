// One attention layer of a Galerkin-transformer operator (Cao 2021) on a
// 1-D grid of n points: 4 heads of 24 (d = 96). The build compiles it three
// times: as written (softmax, fused), and with attn-remove-softmax to the
// Fourier- and Galerkin-type kernels, each made linear-time by
// attn-linearize.
func.func @layer(%q: tensor<1x4x?x24xf32> {attn.name = "q"},
                 %k: tensor<1x4x?x24xf32> {attn.name = "k"},
                 %v: tensor<1x4x?x24xf32> {attn.name = "v"})
    -> tensor<1x4x?x24xf32> {
  %o = attn.attention softmax %q, %k, %v
      : (tensor<1x4x?x24xf32>, tensor<1x4x?x24xf32>, tensor<1x4x?x24xf32>) -> tensor<1x4x?x24xf32>
  return %o : tensor<1x4x?x24xf32>
}
