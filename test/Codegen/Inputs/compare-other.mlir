// @a of compare.mlir, scaled by 1 + 1e-4: a different file must be read.
func.func @a(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = attn.scale %x by 1.0001 : tensor<8xf32>
  return %y : tensor<8xf32>
}
