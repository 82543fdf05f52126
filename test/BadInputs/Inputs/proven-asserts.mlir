func.func @proven(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  attn.assert_size %a[1] == %b[1] : tensor<?x4xf32>, tensor<?x4xf32>
  attn.assert_size %a[0] == %a[0] : tensor<?x4xf32>, tensor<?x4xf32>
  attn.assert_size %a[1] == 4 : tensor<?x4xf32>
  attn.assert_size %a[0] == %b[0] : tensor<?x4xf32>, tensor<?x4xf32>
  return %a : tensor<?x4xf32>
}
