// AFT-simple (Zhai et al.): sigmoid(Q) * sum_t exp(K_t) V_t / sum_t exp(K_t).
func.func @aft_simple(%q: tensor<1x2x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32> {
  %ek = attn.exp %k : tensor<1x2x?x64xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  %num = attn.row_sum %ekv {dim = 2 : i64} : tensor<1x2x?x64xf32> -> tensor<1x2x1x64xf32>
  %den = attn.row_sum %ek {dim = 2 : i64} : tensor<1x2x?x64xf32> -> tensor<1x2x1x64xf32>
  %r = attn.div %num, %den : (tensor<1x2x1x64xf32>, tensor<1x2x1x64xf32>) -> tensor<1x2x1x64xf32>
  %g = attn.sigmoid %q : tensor<1x2x?x64xf32>
  %o = attn.mul %g, %r : (tensor<1x2x?x64xf32>, tensor<1x2x1x64xf32>) -> tensor<1x2x?x64xf32>
  return %o : tensor<1x2x?x64xf32>
}
