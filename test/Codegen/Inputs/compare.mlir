// a and b differ by 10% of the output.
func.func @a(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = attn.scale %x by 1.0 : tensor<8xf32>
  return %y : tensor<8xf32>
}
func.func @b(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = attn.scale %x by 1.1 : tensor<8xf32>
  return %y : tensor<8xf32>
}
