func.func @scores(%q: tensor<?x8xf32>, %k: tensor<?x8xf32>) -> tensor<?x?xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x?xf32>
  return %s : tensor<?x?xf32>
}
