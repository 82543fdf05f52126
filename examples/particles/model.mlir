// Self-attention dynamics of tokens on the unit sphere (Geshkovski et al.
// 2023, "A mathematical perspective on Transformers"): one step computes
//   a_i = sum_j softmax_j(beta <x_i, x_j>) x_j
// with q = beta x (the app scales it) and k = v = x; the app then moves
// x_i <- normalize(x_i + h a_i). A linear (elu+1) kernel for comparison.
func.func @softmax_step(%q: tensor<1x1x?x?xf32> {attn.name = "beta_x"},
                        %x: tensor<1x1x?x?xf32> {attn.name = "x"})
    -> tensor<1x1x?x?xf32> {
  %a = attn.attention softmax %q, %x, %x scale 1.0
      : (tensor<1x1x?x?xf32>, tensor<1x1x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  return %a : tensor<1x1x?x?xf32>
}

func.func @linear_step(%q: tensor<1x1x?x?xf32> {attn.name = "beta_x"},
                       %x: tensor<1x1x?x?xf32> {attn.name = "x"})
    -> tensor<1x1x?x?xf32> {
  %a = attn.attention elu_plus_one %q, %x, %x
      : (tensor<1x1x?x?xf32>, tensor<1x1x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  return %a : tensor<1x1x?x?xf32>
}
