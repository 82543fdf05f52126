// AFT (Zhai et al. 2021) on an image-shaped sequence of T = H x W pixels
// with C channels. @aft_simple has no position bias (linear in T).
// @aft_weighted takes the bias w [T, T]: AFT-local (w inside a window, 0
// outside) and AFT-conv (a translation-invariant kernel inside the window,
// 0 outside, which is AFT-conv's exp(w) - 1 + 1) are both this form.
func.func @aft_simple(%q: tensor<1x1x?x32xf32> {attn.name = "q"},
                      %k: tensor<1x1x?x32xf32> {attn.name = "k"},
                      %v: tensor<1x1x?x32xf32> {attn.name = "v"})
    -> tensor<1x1x?x32xf32> {
  %ek = attn.exp %k : tensor<1x1x?x32xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>) -> tensor<1x1x?x32xf32>
  %num = attn.row_sum %ekv {dim = 2 : i64} : tensor<1x1x?x32xf32> -> tensor<1x1x1x32xf32>
  %den = attn.row_sum %ek {dim = 2 : i64} : tensor<1x1x?x32xf32> -> tensor<1x1x1x32xf32>
  %r = attn.div %num, %den : (tensor<1x1x1x32xf32>, tensor<1x1x1x32xf32>) -> tensor<1x1x1x32xf32>
  %g = attn.sigmoid %q : tensor<1x1x?x32xf32>
  %o = attn.mul %g, %r : (tensor<1x1x?x32xf32>, tensor<1x1x1x32xf32>) -> tensor<1x1x?x32xf32>
  return %o : tensor<1x1x?x32xf32>
}

func.func @aft_weighted(%q: tensor<1x1x?x32xf32> {attn.name = "q"},
                        %k: tensor<1x1x?x32xf32> {attn.name = "k"},
                        %v: tensor<1x1x?x32xf32> {attn.name = "v"},
                        %w: tensor<1x1x?x?xf32> {attn.name = "w"})
    -> tensor<1x1x?x32xf32> {
  %ew = attn.exp %w : tensor<1x1x?x?xf32>
  %ek = attn.exp %k : tensor<1x1x?x32xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>) -> tensor<1x1x?x32xf32>
  %num = attn.matmul %ew, %ekv : tensor<1x1x?x?xf32>, tensor<1x1x?x32xf32> -> tensor<1x1x?x32xf32>
  %den = attn.matmul %ew, %ek : tensor<1x1x?x?xf32>, tensor<1x1x?x32xf32> -> tensor<1x1x?x32xf32>
  %r = attn.div %num, %den : (tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>) -> tensor<1x1x?x32xf32>
  %g = attn.sigmoid %q : tensor<1x1x?x32xf32>
  %o = attn.mul %g, %r : (tensor<1x1x?x32xf32>, tensor<1x1x?x32xf32>) -> tensor<1x1x?x32xf32>
  return %o : tensor<1x1x?x32xf32>
}
