// Linear attention (Katharopoulos et al. 2020) over [B, H, T, D] with a
// dynamic sequence length T. phi(x) = elu(x) + 1.

// Non-causal, written in its linear-time association:
//   o = phi(Q) (phi(K)^T V) / (phi(Q) (phi(K)^T 1) + eps)
// costs O(T d^2) instead of O(T^2 d).
func.func @linear_attention(%q: tensor<2x4x?x32xf32> {attn.name = "q"},
                            %k: tensor<2x4x?x32xf32> {attn.name = "k"},
                            %v: tensor<2x4x?x32xf32> {attn.name = "v"})
    -> tensor<2x4x?x32xf32> {
  %fq = attn.feature_map elu_plus_one %q : tensor<2x4x?x32xf32> -> tensor<2x4x?x32xf32>
  %fk = attn.feature_map elu_plus_one %k : tensor<2x4x?x32xf32> -> tensor<2x4x?x32xf32>
  %kv = attn.matmul %fk, %v transpose_lhs : tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32> -> tensor<2x4x32x32xf32>
  %z = attn.row_sum %fk {dim = 2 : i64} : tensor<2x4x?x32xf32> -> tensor<2x4x1x32xf32>
  %num = attn.matmul %fq, %kv : tensor<2x4x?x32xf32>, tensor<2x4x32x32xf32> -> tensor<2x4x?x32xf32>
  %den = attn.matmul %fq, %z transpose_rhs : tensor<2x4x?x32xf32>, tensor<2x4x1x32xf32> -> tensor<2x4x?x1xf32>
  %o = attn.normalize %num, %den : (tensor<2x4x?x32xf32>, tensor<2x4x?x1xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

// Causal, written with the composite op: each query attends to keys at or
// before its position.
func.func @causal_linear_attention(%q: tensor<2x4x?x32xf32> {attn.name = "q"},
                                   %k: tensor<2x4x?x32xf32> {attn.name = "k"},
                                   %v: tensor<2x4x?x32xf32> {attn.name = "v"})
    -> tensor<2x4x?x32xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal
      : (tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}
