// Products of a tensor with itself (Gram matrices, self-similarity):
// one operand Func for both sides, which the GPU schedules stage once.
func.func @gram(%k: tensor<1x8x?x64xf32>) -> tensor<1x8x64x64xf32> {
  %g = attn.matmul %k, %k transpose_lhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x64x64xf32>
  return %g : tensor<1x8x64x64xf32>
}
func.func @selfscore(%q: tensor<1x8x?x64xf32>) -> tensor<1x8x?x?xf32> {
  %s = attn.matmul %q, %q transpose_rhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x?xf32>
  return %s : tensor<1x8x?x?xf32>
}
func.func @selfsq(%q: tensor<1x8x64x64xf32>) -> tensor<1x8x64x64xf32> {
  %s = attn.matmul %q, %q : tensor<1x8x64x64xf32>, tensor<1x8x64x64xf32> -> tensor<1x8x64x64xf32>
  return %s : tensor<1x8x64x64xf32>
}
