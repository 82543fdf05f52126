func.func @f(%x: tensor<?x8xf32> {attn.name = "x"}) -> tensor<?x8xf32> {
  %y = attn.exp %x : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
