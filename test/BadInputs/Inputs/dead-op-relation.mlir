// The dead matmul is the only op that ties the lengths of %k and %v.
func.func @f(%k: tensor<?x8xf32>, %v: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %dead = attn.matmul %k, %v transpose_lhs : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<8x8xf32>
  return %k : tensor<?x8xf32>
}
