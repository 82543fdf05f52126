// With explain, every site says what happened to it.
// RUN: attn-opt %s --attn-decompose=explain --verify-diagnostics -o /dev/null

func.func @f(%q: tensor<1x4x8xf32>, %dq: tensor<1x4x?xf32>) -> (tensor<1x4x8xf32>, tensor<1x4x?xf32>) {
  // expected-remark @+1 {{expanded into softmax(0.353553 Q K^T, causal mask) V}}
  %a = attn.attention softmax %q, %q, %q causal : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  // expected-remark @+1 {{not expanded: the head size is dynamic, so the default scale 1/sqrt(d) is not a constant; give `scale` explicitly}}
  %b = attn.attention softmax %dq, %dq, %dq : (tensor<1x4x?xf32>, tensor<1x4x?xf32>, tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  return %a, %b : tensor<1x4x8xf32>, tensor<1x4x?xf32>
}
