// Attention of the seed papers, written in the attn dialect (19 forms). Each function
// is checked against an fp64 NumPy implementation of its paper's formula by
// test/Examples/zoo.test (reference interpreter and compiled, before and
// after --attn-linearize). Shapes [batch, heads, seq, dim]; T is dynamic
// where the formula allows, 48 where it has 1/n or T x T parameters.

// Vaswani et al. 2017: softmax(Q K^T / sqrt(d)) V.
func.func @softmax(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Causal softmax attention.
func.func @softmax_causal(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Katharopoulos et al. 2020: phi(Q) (phi(K)^T V) / (phi(Q) sum phi(K) + 1e-6), phi = elu + 1.
func.func @linear_elu(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Causal linear attention (sums over s <= t).
func.func @linear_elu_causal(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Causal linear attention with phi = relu.
func.func @linear_relu_causal(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %o = attn.attention relu %q, %k, %v causal : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Choromanski et al. 2021, FAVOR+: phi(x) = m^-1/2 exp(W x - |x|^2/2) on d^-1/4 x, normalised.
func.func @favor(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>, %w: tensor<16x8xf32>) -> tensor<1x2x?x8xf32> {
  %sq = attn.scale %q by 0.59460355750136051 : tensor<1x2x?x8xf32>
  %sk = attn.scale %k by 0.59460355750136051 : tensor<1x2x?x8xf32>
  %fq = attn.feature_map favor %sq, %w : tensor<1x2x?x8xf32>, tensor<16x8xf32> -> tensor<1x2x?x16xf32>
  %fk = attn.feature_map favor %sk, %w : tensor<1x2x?x8xf32>, tensor<16x8xf32> -> tensor<1x2x?x16xf32>
  %s = attn.matmul %fq, %fk transpose_rhs : tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x2x?x?xf32>
  %num = attn.matmul %s, %v : tensor<1x2x?x?xf32>, tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  %den = attn.row_sum %s : tensor<1x2x?x?xf32> -> tensor<1x2x?x1xf32>
  %o = attn.normalize %num, %den : (tensor<1x2x?x8xf32>, tensor<1x2x?x1xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Cao 2021, Galerkin-type: Q (LN(K)^T LN(V)) / n.
func.func @galerkin(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %lk = attn.layer_norm %k : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %lv = attn.layer_norm %v : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %s = attn.matmul %q, %lk transpose_rhs : tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x48xf32>
  %a = attn.matmul %s, %lv : tensor<1x2x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %o = attn.scale %a by 0.020833333333333332 : tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// Cao 2021, Fourier-type: (LN(Q) LN(K)^T) V / n.
func.func @fourier(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %lq = attn.layer_norm %q : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %lk = attn.layer_norm %k : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %s = attn.matmul %lq, %lk transpose_rhs : tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x48xf32>
  %a = attn.matmul %s, %v : tensor<1x2x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %o = attn.scale %a by 0.020833333333333332 : tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// Zhai et al. 2021, AFT-full: sigmoid(Q) * (exp(w) (exp(K) * V)) / (exp(w) exp(K)).
func.func @aft_full(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>, %w: tensor<1x1x48x48xf32>) -> tensor<1x2x48x8xf32> {
  %ew = attn.exp %w : tensor<1x1x48x48xf32>
  %ek = attn.exp %k : tensor<1x2x48x8xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %num = attn.matmul %ew, %ekv : tensor<1x1x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %den = attn.matmul %ew, %ek : tensor<1x1x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %r = attn.div %num, %den : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %g = attn.sigmoid %q : tensor<1x2x48x8xf32>
  %o = attn.mul %g, %r : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// AFT-simple (w = 0): sigmoid(Q) * sum_t exp(K_t) V_t / sum_t exp(K_t).
func.func @aft_simple(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %ek = attn.exp %k : tensor<1x2x?x8xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  %num = attn.row_sum %ekv {dim = 2 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x1x8xf32>
  %den = attn.row_sum %ek {dim = 2 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x1x8xf32>
  %r = attn.div %num, %den : (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>) -> tensor<1x2x1x8xf32>
  %g = attn.sigmoid %q : tensor<1x2x?x8xf32>
  %o = attn.mul %g, %r : (tensor<1x2x?x8xf32>, tensor<1x2x1x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Causal AFT-simple: sums over t' <= t (uniform causal weights; attn-causal-to-cumsum makes them prefix sums).
func.func @aft_simple_causal(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %ones = arith.constant dense<1.0> : tensor<1x1x48x48xf32>
  %m = attn.causal_mask %ones fill zero : tensor<1x1x48x48xf32>
  %ek = attn.exp %k : tensor<1x2x48x8xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %num = attn.matmul %m, %ekv : tensor<1x1x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %den = attn.matmul %m, %ek : tensor<1x1x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %r = attn.div %num, %den : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %g = attn.sigmoid %q : tensor<1x2x48x8xf32>
  %o = attn.mul %g, %r : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// AFT-local: AFT-full with w kept inside the window |t - t'| < s and 0 outside (band is the 0/1 window).
func.func @aft_local(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>, %w: tensor<1x1x48x48xf32>, %band: tensor<1x1x48x48xf32>) -> tensor<1x2x48x8xf32> {
  %wl = attn.mul %w, %band : (tensor<1x1x48x48xf32>, tensor<1x1x48x48xf32>) -> tensor<1x1x48x48xf32>
  %ew = attn.exp %wl : tensor<1x1x48x48xf32>
  %ek = attn.exp %k : tensor<1x2x48x8xf32>
  %ekv = attn.mul %ek, %v : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %num = attn.matmul %ew, %ekv : tensor<1x1x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %den = attn.matmul %ew, %ek : tensor<1x1x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  %r = attn.div %num, %den : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %g = attn.sigmoid %q : tensor<1x2x48x8xf32>
  %o = attn.mul %g, %r : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// TransNormer NormAttention: RMSNorm(phi(Q) (phi(K)^T V)), no denominator, phi = elu + 1.
func.func @norm_attention(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %fq = attn.feature_map elu_plus_one %q : tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  %fk = attn.feature_map elu_plus_one %k : tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  %kv = attn.matmul %fk, %v transpose_lhs : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32> -> tensor<1x2x8x8xf32>
  %a = attn.matmul %fq, %kv : tensor<1x2x?x8xf32>, tensor<1x2x8x8xf32> -> tensor<1x2x?x8xf32>
  %o = attn.rms_norm %a : (tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Sun et al. 2023, retention, parallel form: (Q K^T * D) V with D[h,t,s] = gamma_h^(t-s) for s <= t (decay passed in).
func.func @retnet_parallel(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>, %decay: tensor<1x2x?x?xf32>) -> tensor<1x2x?x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32> -> tensor<1x2x?x?xf32>
  %sd = attn.mul %s, %decay : (tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  %o = attn.matmul %sd, %v : tensor<1x2x?x?xf32>, tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Retention, recurrent form: S_t = gamma S_{t-1} + k_t v_t^T, o_t = q_t S_t (per head: gamma_h = 1 - 2^(-5-h)).
func.func @retnet_recurrent(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %kx = attn.expand_dims %k {dim = 4 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x8x1xf32>
  %vx = attn.expand_dims %v {dim = 3 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x1x8xf32>
  %outer = attn.matmul %kx, %vx : tensor<1x2x?x8x1xf32>, tensor<1x2x?x1x8xf32> -> tensor<1x2x?x8x8xf32>
  %s = attn.cumsum %outer {dim = 2 : i64, decays = array<f64: 0.96875, 0.984375>, decays_dim = 1 : i64} : tensor<1x2x?x8x8xf32>
  %qx = attn.expand_dims %q {dim = 3 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x1x8xf32>
  %ox = attn.matmul %qx, %s : tensor<1x2x?x1x8xf32>, tensor<1x2x?x8x8xf32> -> tensor<1x2x?x1x8xf32>
  %o = attn.squeeze %ox {dim = 3 : i64} : tensor<1x2x?x1x8xf32> -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// Hua et al. 2022, GAU attention: relu(Q K^T / n + b)^2 V (the quadratic, within-chunk part).
func.func @gau_quadratic(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>, %b: tensor<1x1x48x48xf32>) -> tensor<1x2x48x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x48xf32>
  %sn = attn.scale %s by 0.020833333333333332 : tensor<1x2x48x48xf32>
  %sb = attn.add %sn, %b : (tensor<1x2x48x48xf32>, tensor<1x1x48x48xf32>) -> tensor<1x2x48x48xf32>
  %r = attn.relu %sb : tensor<1x2x48x48xf32>
  %a = attn.square %r : tensor<1x2x48x48xf32>
  %o = attn.matmul %a, %v : tensor<1x2x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// Hua et al. 2022, FLASH mixed chunk attention (chunks of 16): relu(Qc Kc^T / c)^2 Vc inside a chunk + Q'c (sum over all chunks of K'^T V) / n.
func.func @gau_mixed(%q: tensor<1x1x48x8xf32>, %k: tensor<1x1x48x8xf32>, %v: tensor<1x1x48x8xf32>, %ql: tensor<1x1x48x8xf32>, %kl: tensor<1x1x48x8xf32>) -> tensor<1x1x48x8xf32> {
  %qc = attn.chunk %q {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %kc = attn.chunk %k {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %vc = attn.chunk %v {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %qlc = attn.chunk %ql {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %klc = attn.chunk %kl {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %s = attn.matmul %qc, %kc transpose_rhs : tensor<1x1x3x16x8xf32>, tensor<1x1x3x16x8xf32> -> tensor<1x1x3x16x16xf32>
  %sn = attn.scale %s by 0.0625 : tensor<1x1x3x16x16xf32>
  %r = attn.relu %sn : tensor<1x1x3x16x16xf32>
  %a = attn.square %r : tensor<1x1x3x16x16xf32>
  %intra = attn.matmul %a, %vc : tensor<1x1x3x16x16xf32>, tensor<1x1x3x16x8xf32> -> tensor<1x1x3x16x8xf32>
  %states = attn.matmul %klc, %vc transpose_lhs : tensor<1x1x3x16x8xf32>, tensor<1x1x3x16x8xf32> -> tensor<1x1x3x8x8xf32>
  %p = attn.row_sum %states {dim = 2 : i64} : tensor<1x1x3x8x8xf32> -> tensor<1x1x1x8x8xf32>
  %inter = attn.matmul %qlc, %p : tensor<1x1x3x16x8xf32>, tensor<1x1x1x8x8xf32> -> tensor<1x1x3x16x8xf32>
  %interN = attn.scale %inter by 0.020833333333333332 : tensor<1x1x3x16x8xf32>
  %sum = attn.add %intra, %interN : (tensor<1x1x3x16x8xf32>, tensor<1x1x3x16x8xf32>) -> tensor<1x1x3x16x8xf32>
  %o = attn.unchunk %sum like %q {dim = 2 : i64} : (tensor<1x1x3x16x8xf32>, tensor<1x1x48x8xf32>) -> tensor<1x1x48x8xf32>
  return %o : tensor<1x1x48x8xf32>
}

// FLASH mixed chunk attention, causal: masked inside the chunk, earlier chunks only across.
func.func @gau_mixed_causal(%q: tensor<1x1x48x8xf32>, %k: tensor<1x1x48x8xf32>, %v: tensor<1x1x48x8xf32>, %ql: tensor<1x1x48x8xf32>, %kl: tensor<1x1x48x8xf32>) -> tensor<1x1x48x8xf32> {
  %qc = attn.chunk %q {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %kc = attn.chunk %k {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %vc = attn.chunk %v {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %qlc = attn.chunk %ql {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %klc = attn.chunk %kl {dim = 2 : i64, size = 16 : i64} : tensor<1x1x48x8xf32> -> tensor<1x1x3x16x8xf32>
  %s = attn.matmul %qc, %kc transpose_rhs : tensor<1x1x3x16x8xf32>, tensor<1x1x3x16x8xf32> -> tensor<1x1x3x16x16xf32>
  %sn = attn.scale %s by 0.0625 : tensor<1x1x3x16x16xf32>
  %r = attn.relu %sn : tensor<1x1x3x16x16xf32>
  %a = attn.square %r : tensor<1x1x3x16x16xf32>
  %am = attn.causal_mask %a fill zero : tensor<1x1x3x16x16xf32>
  %intra = attn.matmul %am, %vc : tensor<1x1x3x16x16xf32>, tensor<1x1x3x16x8xf32> -> tensor<1x1x3x16x8xf32>
  %states = attn.matmul %klc, %vc transpose_lhs : tensor<1x1x3x16x8xf32>, tensor<1x1x3x16x8xf32> -> tensor<1x1x3x8x8xf32>
  %p = attn.cumsum %states {dim = 2 : i64, exclusive} : tensor<1x1x3x8x8xf32>
  %inter = attn.matmul %qlc, %p : tensor<1x1x3x16x8xf32>, tensor<1x1x3x8x8xf32> -> tensor<1x1x3x16x8xf32>
  %interN = attn.scale %inter by 0.020833333333333332 : tensor<1x1x3x16x8xf32>
  %sum = attn.add %intra, %interN : (tensor<1x1x3x16x8xf32>, tensor<1x1x3x16x8xf32>) -> tensor<1x1x3x16x8xf32>
  %o = attn.unchunk %sum like %q {dim = 2 : i64} : (tensor<1x1x3x16x8xf32>, tensor<1x1x48x8xf32>) -> tensor<1x1x48x8xf32>
  return %o : tensor<1x1x48x8xf32>
}

// Hua et al. 2022, the whole gated attention unit around those scores:
// U = silu(X Wu), V = silu(X Wv), Z = silu(X Wz) (shared, small width s = 8),
// Q = Z gq + bq, K = Z gk + bk (per-dim affine), A = relu(Q K^T / n + b)^2,
// O = (U * A V) Wo. X is [1, 1, n, 8], expansion e = 16.
func.func @gau_layer(%x: tensor<1x1x48x8xf32>, %wu: tensor<1x1x8x16xf32>, %wv: tensor<1x1x8x16xf32>, %wz: tensor<1x1x8x8xf32>,
                     %gq: tensor<1x1x1x8xf32>, %bq: tensor<1x1x1x8xf32>, %gk: tensor<1x1x1x8xf32>, %bk: tensor<1x1x1x8xf32>,
                     %b: tensor<1x1x48x48xf32>, %wo: tensor<1x1x16x8xf32>) -> tensor<1x1x48x8xf32> {
  %xu = attn.matmul %x, %wu : tensor<1x1x48x8xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x48x16xf32>
  %u = attn.silu %xu : tensor<1x1x48x16xf32>
  %xv = attn.matmul %x, %wv : tensor<1x1x48x8xf32>, tensor<1x1x8x16xf32> -> tensor<1x1x48x16xf32>
  %v = attn.silu %xv : tensor<1x1x48x16xf32>
  %xz = attn.matmul %x, %wz : tensor<1x1x48x8xf32>, tensor<1x1x8x8xf32> -> tensor<1x1x48x8xf32>
  %z = attn.silu %xz : tensor<1x1x48x8xf32>
  %zq = attn.mul %z, %gq : (tensor<1x1x48x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x1x48x8xf32>
  %q = attn.add %zq, %bq : (tensor<1x1x48x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x1x48x8xf32>
  %zk = attn.mul %z, %gk : (tensor<1x1x48x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x1x48x8xf32>
  %k = attn.add %zk, %bk : (tensor<1x1x48x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x1x48x8xf32>
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x1x48x8xf32>, tensor<1x1x48x8xf32> -> tensor<1x1x48x48xf32>
  %sn = attn.scale %s by 0.020833333333333332 : tensor<1x1x48x48xf32>
  %sb = attn.add %sn, %b : (tensor<1x1x48x48xf32>, tensor<1x1x48x48xf32>) -> tensor<1x1x48x48xf32>
  %r = attn.relu %sb : tensor<1x1x48x48xf32>
  %a = attn.square %r : tensor<1x1x48x48xf32>
  %av = attn.matmul %a, %v : tensor<1x1x48x48xf32>, tensor<1x1x48x16xf32> -> tensor<1x1x48x16xf32>
  %gated = attn.mul %u, %av : (tensor<1x1x48x16xf32>, tensor<1x1x48x16xf32>) -> tensor<1x1x48x16xf32>
  %o = attn.matmul %gated, %wo : tensor<1x1x48x16xf32>, tensor<1x1x16x8xf32> -> tensor<1x1x48x8xf32>
  return %o : tensor<1x1x48x8xf32>
}
