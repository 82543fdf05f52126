func.func @rownorm(%x: tensor<?x8xf32> {attn.name = "x"}) -> tensor<?x8xf32> {
  %y = attn.rms_norm %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
