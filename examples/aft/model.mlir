// AFT (Zhai et al. 2021) on an image-shaped sequence of T = H x W pixels
// with C channels. @aft_simple has no position bias (linear in T).
// @aft_weighted takes the bias w [T, T]: AFT-local (w inside a window, 0
// outside) and AFT-conv (a translation-invariant kernel inside the window,
// 0 outside: AFT-conv's exp(w) - 1 + 1) are both this form; @aft_conv
// below is AFT-conv in its convolution form.
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

// AFT-conv as the paper computes it: channels in 4 heads of 8, one
// (2s-1) x (2s-1) kernel w per head, and the sums over the whole image
// (exp(0) = 1 outside the window) plus a depthwise convolution with
// exp(w) - 1 inside it: O(T s^2 C) instead of the T x T bias above.
// q, k, v are [1, heads, Y, X, channels of a head].
func.func @aft_conv(%q: tensor<1x4x?x?x8xf32> {attn.name = "q"},
                    %k: tensor<1x4x?x?x8xf32> {attn.name = "k"},
                    %v: tensor<1x4x?x?x8xf32> {attn.name = "v"},
                    %w: tensor<1x4x?x?x1xf32> {attn.name = "w"})
    -> tensor<1x4x?x?x8xf32> {
  %one = arith.constant dense<1.0> : tensor<1x1x1x1x1xf32>
  %ew = attn.exp %w : tensor<1x4x?x?x1xf32>
  %ew1 = attn.sub %ew, %one : (tensor<1x4x?x?x1xf32>, tensor<1x1x1x1x1xf32>) -> tensor<1x4x?x?x1xf32>
  %ek = attn.exp %k : tensor<1x4x?x?x8xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x4x?x?x8xf32>, tensor<1x4x?x?x8xf32>) -> tensor<1x4x?x?x8xf32>
  %rows_kv = attn.row_sum %ekv {dim = 2 : i64} : tensor<1x4x?x?x8xf32> -> tensor<1x4x1x?x8xf32>
  %all_kv = attn.row_sum %rows_kv {dim = 3 : i64} : tensor<1x4x1x?x8xf32> -> tensor<1x4x1x1x8xf32>
  %rows_k = attn.row_sum %ek {dim = 2 : i64} : tensor<1x4x?x?x8xf32> -> tensor<1x4x1x?x8xf32>
  %all_k = attn.row_sum %rows_k {dim = 3 : i64} : tensor<1x4x1x?x8xf32> -> tensor<1x4x1x1x8xf32>
  %local_kv = attn.depthwise_conv2d %ekv, %ew1 : tensor<1x4x?x?x8xf32>, tensor<1x4x?x?x1xf32> -> tensor<1x4x?x?x8xf32>
  %local_k = attn.depthwise_conv2d %ek, %ew1 : tensor<1x4x?x?x8xf32>, tensor<1x4x?x?x1xf32> -> tensor<1x4x?x?x8xf32>
  %num = attn.add %local_kv, %all_kv : (tensor<1x4x?x?x8xf32>, tensor<1x4x1x1x8xf32>) -> tensor<1x4x?x?x8xf32>
  %den = attn.add %local_k, %all_k : (tensor<1x4x?x?x8xf32>, tensor<1x4x1x1x8xf32>) -> tensor<1x4x?x?x8xf32>
  %r = attn.div %num, %den : (tensor<1x4x?x?x8xf32>, tensor<1x4x?x?x8xf32>) -> tensor<1x4x?x?x8xf32>
  %g = attn.sigmoid %q : tensor<1x4x?x?x8xf32>
  %o = attn.mul %g, %r : (tensor<1x4x?x?x8xf32>, tensor<1x4x?x?x8xf32>) -> tensor<1x4x?x?x8xf32>
  return %o : tensor<1x4x?x?x8xf32>
}
