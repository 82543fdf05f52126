func.func @f(%a: tensor<?x4xf32> {attn.name = "a"}, %b: tensor<?x4xf32> {attn.name = "b"}) -> tensor<?x4xf32> {
  %y = attn.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
