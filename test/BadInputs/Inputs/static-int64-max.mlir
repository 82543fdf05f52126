func.func @f(%x: tensor<9223372036854775807x4xf32> {attn.name = "x"}) -> tensor<9223372036854775807x4xf32> {
  %y = attn.exp %x : tensor<9223372036854775807x4xf32>
  return %y : tensor<9223372036854775807x4xf32>
}
