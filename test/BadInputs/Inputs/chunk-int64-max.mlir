func.func @f(%x: tensor<?x4xf32> {attn.name = "x"}) -> tensor<?x4xf32> {
  %c = attn.chunk %x {dim = 0 : i64, size = 9223372036854775807 : i64} : tensor<?x4xf32> -> tensor<?x9223372036854775807x4xf32>
  %y = attn.unchunk %c like %x {dim = 0 : i64} : (tensor<?x9223372036854775807x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
