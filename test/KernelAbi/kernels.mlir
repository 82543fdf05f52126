// Kernels that test/KernelAbi/main.cpp calls with good and bad buffers.

// Causal softmax attention.
func.func @attend(%q: tensor<1x2x?x8xf32> {attn.name = "q"},
                  %k: tensor<1x2x?x8xf32> {attn.name = "k"},
                  %v: tensor<1x2x?x8xf32> {attn.name = "v"}) -> tensor<1x2x?x8xf32> {
  %o = attn.attention softmax %q, %k, %v causal
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Non-causal linear attention (elu + 1), linear-time after the rewrites.
func.func @linear(%q: tensor<1x2x?x8xf32> {attn.name = "q"},
                  %k: tensor<1x2x?x8xf32> {attn.name = "k"},
                  %v: tensor<1x2x?x8xf32> {attn.name = "v"}) -> tensor<1x2x?x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Causal linear attention: chunked by attn-linearize.
func.func @causal(%q: tensor<1x2x?x8xf32> {attn.name = "q"},
                  %k: tensor<1x2x?x8xf32> {attn.name = "k"},
                  %v: tensor<1x2x?x8xf32> {attn.name = "v"}) -> tensor<1x2x?x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}
