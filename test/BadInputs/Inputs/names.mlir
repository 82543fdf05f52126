// Functions and buffers whose names a C header cannot declare.
func.func @int(%x: tensor<4xf32> {attn.name = "x"}) -> tensor<4xf32> {
  %y = attn.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @attn_last_error(%x: tensor<4xf32> {attn.name = "x"}) -> tensor<4xf32> {
  %y = attn.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @keyword_argument(%x: tensor<4xf32> {attn.name = "double"}) -> tensor<4xf32> {
  %y = attn.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @f(%x: tensor<4xf32> {attn.name = "x"}) -> tensor<4xf32> {
  %y = attn.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @f_argv(%x: tensor<4xf32> {attn.name = "x"}) -> tensor<4xf32> {
  %y = attn.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
