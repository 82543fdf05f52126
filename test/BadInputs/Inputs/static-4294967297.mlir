func.func @f(%x: tensor<4294967297x4xf32> {attn.name = "x"}) -> tensor<4294967297x4xf32> {
  %y = attn.exp %x : tensor<4294967297x4xf32>
  return %y : tensor<4294967297x4xf32>
}
