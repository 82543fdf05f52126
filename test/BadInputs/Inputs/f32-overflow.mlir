// Models whose f32 values overflow where the double reference does not.

// AFT-simple with keys scaled by 100: exp(k) passes 3.4e38 in f32.
func.func @aft_hot(%q: tensor<1x1x?x4xf32>, %k: tensor<1x1x?x4xf32>, %v: tensor<1x1x?x4xf32>) -> tensor<1x1x?x4xf32> {
  %k100 = attn.scale %k by 100.0 : tensor<1x1x?x4xf32>
  %ek = attn.exp %k100 : tensor<1x1x?x4xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x1x?x4xf32>, tensor<1x1x?x4xf32>) -> tensor<1x1x?x4xf32>
  %num = attn.row_sum %ekv {dim = 2 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x1x4xf32>
  %den = attn.row_sum %ek {dim = 2 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x1x4xf32>
  %w = attn.div %num, %den : (tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32>
  %sq = attn.sigmoid %q : tensor<1x1x?x4xf32>
  %y = attn.mul %sq, %w : (tensor<1x1x?x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x1x?x4xf32>
  return %y : tensor<1x1x?x4xf32>
}

// A lowest fill outside a softmax: the masked entries sum past -3.4e38.
func.func @lowest_summed(%s: tensor<1x?x?xf32>) -> tensor<1x?x1xf32> {
  %m = attn.causal_mask %s fill lowest : tensor<1x?x?xf32>
  %r = attn.row_sum %m : tensor<1x?x?xf32> -> tensor<1x?x1xf32>
  return %r : tensor<1x?x1xf32>
}

// Softmax attention whose scores pass 3.4e38.
func.func @softmax_huge(%q: tensor<1x?x4xf32>, %k: tensor<1x?x4xf32>, %v: tensor<1x?x4xf32>) -> tensor<1x?x4xf32> {
  %qh = attn.scale %q by 1.0e20 : tensor<1x?x4xf32>
  %kh = attn.scale %k by 1.0e20 : tensor<1x?x4xf32>
  %o = attn.attention softmax %qh, %kh, %v scale 1.0 : (tensor<1x?x4xf32>, tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  return %o : tensor<1x?x4xf32>
}
