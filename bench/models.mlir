// The benchmark's kernels, B = 1, H = 8, d = 64, T dynamic, fp32. Built by
// bench/CMakeLists.txt through --attn-linearize (chunks of 64), as a user
// would: softmax stays quadratic (fused), the rest become linear in T.

// softmax(Q K^T / 8) V.
func.func @softmax(%q: tensor<1x8x?x64xf32> {attn.name = "q"}, %k: tensor<1x8x?x64xf32> {attn.name = "k"}, %v: tensor<1x8x?x64xf32> {attn.name = "v"}) -> tensor<1x8x?x64xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// The same, causal (the GPU benchmark compares it with SDPA's causal path).
func.func @softmax_causal(%q: tensor<1x8x?x64xf32> {attn.name = "q"}, %k: tensor<1x8x?x64xf32> {attn.name = "k"}, %v: tensor<1x8x?x64xf32> {attn.name = "v"}) -> tensor<1x8x?x64xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// Katharopoulos et al.: phi(Q) (phi(K)^T V) / (phi(Q) sum phi(K) + 1e-6), phi = elu + 1.
func.func @linear(%q: tensor<1x8x?x64xf32> {attn.name = "q"}, %k: tensor<1x8x?x64xf32> {attn.name = "k"}, %v: tensor<1x8x?x64xf32> {attn.name = "v"}) -> tensor<1x8x?x64xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// The same, causal: chunked prefix sums after --attn-linearize.
func.func @linear_causal(%q: tensor<1x8x?x64xf32> {attn.name = "q"}, %k: tensor<1x8x?x64xf32> {attn.name = "k"}, %v: tensor<1x8x?x64xf32> {attn.name = "v"}) -> tensor<1x8x?x64xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// Cao 2021: Q (LN(K)^T LN(V)) / n, written as the paper's (Q LN(K)^T) LN(V) / n.
func.func @galerkin(%q: tensor<1x8x?x64xf32> {attn.name = "q"}, %k: tensor<1x8x?x64xf32> {attn.name = "k"}, %v: tensor<1x8x?x64xf32> {attn.name = "v"}) -> tensor<1x8x?x64xf32> {
  %kn = attn.layer_norm %k : (tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  %vn = attn.layer_norm %v : (tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  %s = attn.matmul %q, %kn transpose_rhs : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x?xf32>
  %o = attn.matmul %s, %vn : tensor<1x8x?x?xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x64xf32>
  %on = attn.divide_by_size %o, %k {dim = 2 : i64} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %on : tensor<1x8x?x64xf32>
}

// Zhai et al.: sigmoid(Q) * sum_t exp(K_t) V_t / sum_t exp(K_t).
func.func @aft_simple(%q: tensor<1x8x?x64xf32> {attn.name = "q"}, %k: tensor<1x8x?x64xf32> {attn.name = "k"}, %v: tensor<1x8x?x64xf32> {attn.name = "v"}) -> tensor<1x8x?x64xf32> {
  %ek = attn.exp %k : tensor<1x8x?x64xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  %num = attn.row_sum %ekv {dim = 2 : i64} : tensor<1x8x?x64xf32> -> tensor<1x8x1x64xf32>
  %den = attn.row_sum %ek {dim = 2 : i64} : tensor<1x8x?x64xf32> -> tensor<1x8x1x64xf32>
  %r = attn.div %num, %den : (tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32>) -> tensor<1x8x1x64xf32>
  %g = attn.sigmoid %q : tensor<1x8x?x64xf32>
  %o = attn.mul %g, %r : (tensor<1x8x?x64xf32>, tensor<1x8x1x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
