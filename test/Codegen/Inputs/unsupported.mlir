func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %s = attn.exp %a : tensor<4xf32>
  %b = arith.addf %s, %a : tensor<4xf32>
  return %b : tensor<4xf32>
}
