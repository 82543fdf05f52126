func.func @f(%x: tensor<?x4xf32> {attn.name = "x"}) -> tensor<?x4xf32> {
  %c = attn.chunk %x {dim = 0 : i64, size = 2147483648 : i64} : tensor<?x4xf32> -> tensor<?x2147483648x4xf32>
  %y = attn.unchunk %c like %x {dim = 0 : i64} : (tensor<?x2147483648x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
