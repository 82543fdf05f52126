func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %s = attn.exp %a : tensor<4xf32
  return %s : tensor<4xf32>
}
