// Each verifier names the bad operand and the expected shape.
// RUN: attn-opt %s --split-input-file --verify-diagnostics

func.func @matmul_k(%a: tensor<1x4x8xf32>, %b: tensor<1x7x5xf32>) -> tensor<1x4x5xf32> {
  // expected-error @+1 {{'attn.matmul' op contraction size mismatch: lhs has K = 8 but rhs has K = 7; expected rhs of shape [1, 8, 5]}}
  %c = attn.matmul %a, %b : tensor<1x4x8xf32>, tensor<1x7x5xf32> -> tensor<1x4x5xf32>
  return %c : tensor<1x4x5xf32>
}

// -----

func.func @matmul_k_transposed(%a: tensor<1x4x8xf32>, %b: tensor<1x5x7xf32>) -> tensor<1x4x5xf32> {
  // expected-error @+1 {{lhs has K = 8 but rhs has K = 7; expected rhs of shape [1, 5, 8]}}
  %c = attn.matmul %a, %b transpose_rhs : tensor<1x4x8xf32>, tensor<1x5x7xf32> -> tensor<1x4x5xf32>
  return %c : tensor<1x4x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x4x5xf32> {
  // expected-error @+1 {{batch dimension 0 of rhs is 3 but lhs has 2; expected 2 or 1 (rhs shape [3, 8, 5], lhs shape [2, 4, 8])}}
  %c = attn.matmul %a, %b : tensor<2x4x8xf32>, tensor<3x8x5xf32> -> tensor<2x4x5xf32>
  return %c : tensor<2x4x5xf32>
}

// -----

func.func @matmul_rank(%a: tensor<4x8xf32>, %b: tensor<1x8x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{operands have different ranks: lhs [4, 8], rhs [1, 8, 5]; expected equal ranks}}
  %c = attn.matmul %a, %b : tensor<4x8xf32>, tensor<1x8x5xf32> -> tensor<4x5xf32>
  return %c : tensor<4x5xf32>
}

// -----

func.func @matmul_rank1(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{operand 'lhs' has rank 1 (shape [8]); expected rank >= 2}}
  %c = attn.matmul %a, %b : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return %c : tensor<8xf32>
}

// -----

func.func @matmul_result(%a: tensor<1x4x8xf32>, %b: tensor<1x8x5xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{'attn.matmul' op result type 'tensor<1x4x6xf32>' does not match the operands; expected shape [1, 4, 5]}}
  %c = attn.matmul %a, %b : tensor<1x4x8xf32>, tensor<1x8x5xf32> -> tensor<1x4x6xf32>
  return %c : tensor<1x4x6xf32>
}

// -----

func.func @matmul_elem(%a: tensor<1x4x8xf32>, %b: tensor<1x8x5xf64>) -> tensor<1x4x5xf32> {
  // expected-error @+1 {{'attn.matmul' op operand #1 has element type 'f64'; expected 'f32' like operand #0}}
  %c = attn.matmul %a, %b : tensor<1x4x8xf32>, tensor<1x8x5xf64> -> tensor<1x4x5xf32>
  return %c : tensor<1x4x5xf32>
}

// -----

func.func @matmul_int(%a: tensor<4x8xi32>, %b: tensor<8x5xi32>) -> tensor<4x5xi32> {
  // expected-error @+1 {{'attn.matmul' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<4x8xi32>'}}
  %c = attn.matmul %a, %b : tensor<4x8xi32>, tensor<8x5xi32> -> tensor<4x5xi32>
  return %c : tensor<4x5xi32>
}

// -----

func.func @transpose_len(%a: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  // expected-error @+1 {{permutation has 2 entries; expected 3 (the rank of input [2, 3, 4])}}
  %t = attn.transpose %a [1, 0] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return %t : tensor<3x2x4xf32>
}

// -----

func.func @transpose_perm(%a: tensor<2x3x4xf32>) -> tensor<3x3x4xf32> {
  // expected-error @+1 {{permutation [1, 1, 2] is not a permutation of [0, 3)}}
  %t = attn.transpose %a [1, 1, 2] : tensor<2x3x4xf32> -> tensor<3x3x4xf32>
  return %t : tensor<3x3x4xf32>
}

// -----

func.func @softmax_dim(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'attn.softmax' op 'dim' = 2 is out of range for rank 2; expected a value in [-2, 1]}}
  %s = attn.softmax %a {dim = 2 : i64} : tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}

// -----

func.func @mask_rank(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'attn.causal_mask' op operand 'input' has rank 1 (shape [3]); expected rank >= 2}}
  %m = attn.causal_mask %a fill zero : tensor<3xf32>
  return %m : tensor<3xf32>
}

// -----

func.func @mask_fill(%a: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{expected ::attn::MaskFill to be one of: zero, lowest}}
  // expected-error @+1 {{failed to parse Attn_MaskFillAttr parameter 'value'}}
  %m = attn.causal_mask %a fill minus_infinity : tensor<3x3xf32>
  return %m : tensor<3x3xf32>
}

// -----

func.func @layer_norm_gamma(%a: tensor<2x8xf32>, %g: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.layer_norm' op operand 'gamma' has shape [4]; expected [8] (the last dimension of input [2, 8])}}
  %n = attn.layer_norm %a affine(%g, %g) : (tensor<2x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return %n : tensor<2x8xf32>
}

// -----

func.func @rms_norm_gamma(%a: tensor<2x8xf32>, %g: tensor<8x1xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.rms_norm' op operand 'gamma' has shape [8, 1]; expected [8]}}
  %n = attn.rms_norm %a affine(%g) : (tensor<2x8xf32>, tensor<8x1xf32>) -> tensor<2x8xf32>
  return %n : tensor<2x8xf32>
}

// -----

func.func @normalize_den(%n: tensor<2x5x8xf32>, %d: tensor<2x5x3xf32>) -> tensor<2x5x8xf32> {
  // expected-error @+1 {{'attn.normalize' op operand 'den' has shape [2, 5, 3]; expected [2, 5, 1] (num's shape with the last dimension 1; dimensions of size 1 broadcast)}}
  %o = attn.normalize %n, %d : (tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x5x8xf32>
  return %o : tensor<2x5x8xf32>
}

// -----

func.func @favor_no_projection(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.feature_map' op kind favor needs a projection operand of shape [m, 8]}}
  %f = attn.feature_map favor %a : tensor<2x8xf32> -> tensor<2x8xf32>
  return %f : tensor<2x8xf32>
}

// -----

func.func @favor_projection(%a: tensor<2x8xf32>, %w: tensor<16x4xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{'attn.feature_map' op operand 'projection' has shape [16, 4]; expected [m, 8]}}
  %f = attn.feature_map favor %a, %w : tensor<2x8xf32>, tensor<16x4xf32> -> tensor<2x16xf32>
  return %f : tensor<2x16xf32>
}

// -----

func.func @relu_projection(%a: tensor<2x8xf32>, %w: tensor<16x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.feature_map' op a projection operand is only allowed for kind favor}}
  %f = attn.feature_map relu %a, %w : tensor<2x8xf32>, tensor<16x8xf32> -> tensor<2x8xf32>
  return %f : tensor<2x8xf32>
}

// -----

func.func @feature_kind(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{expected ::attn::FeatureMapKind to be one of: identity, relu, elu_plus_one, exp, favor}}
  // expected-error @+1 {{failed to parse Attn_FeatureMapKindAttr parameter 'value'}}
  %f = attn.feature_map gelu %a : tensor<2x8xf32> -> tensor<2x8xf32>
  return %f : tensor<2x8xf32>
}

// -----

func.func @row_sum_result(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.row_sum' op result type 'tensor<2x8xf32>' does not match the operands; expected shape [2, 1]}}
  %s = attn.row_sum %a : tensor<2x8xf32> -> tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @cumsum_decay(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op decay 1.500000 is out of range; expected 0 <= decay <= 1}}
  %s = attn.cumsum %a {dim = 0 : i64, decay = 1.5 : f64} : tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @cumsum_dim(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op 'dim' = -3 is out of range for rank 2; expected a value in [-2, 1]}}
  %s = attn.cumsum %a {dim = -3 : i64} : tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @cumsum_init_shape(%a: tensor<2x8xf32>, %s: tensor<2x1xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op init has shape [2, 1]; expected [1, 8] (the input's shape with size 1 along dim 0)}}
  %c = attn.cumsum %a init %s {dim = 0 : i64} : tensor<2x8xf32>, tensor<2x1xf32>
  return %c : tensor<2x8xf32>
}

// -----

func.func @last_dim(%a: tensor<2x8xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'attn.last' op 'dim' = 2 is out of range for rank 2; expected a value in [-2, 1]}}
  %l = attn.last %a {dim = 2 : i64} : tensor<2x8xf32> -> tensor<1x8xf32>
  return %l : tensor<1x8xf32>
}

// -----

func.func @last_result(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.last' op result type 'tensor<2x8xf32>' does not match the operands; expected shape [1, 8]}}
  %l = attn.last %a {dim = 0 : i64} : tensor<2x8xf32> -> tensor<2x8xf32>
  return %l : tensor<2x8xf32>
}

// -----

func.func @conv_even(%x: tensor<1x8x8x4xf32>, %k: tensor<1x2x3x1xf32>) -> tensor<1x8x8x4xf32> {
  // expected-error @+1 {{'attn.depthwise_conv2d' op kernel [1, 2, 3, 1] has an even size 2 in dimension 1; expected odd sizes, centred on each position}}
  %y = attn.depthwise_conv2d %x, %k : tensor<1x8x8x4xf32>, tensor<1x2x3x1xf32> -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x8x8x4xf32>, %k: tensor<1x3x3x3xf32>) -> tensor<1x8x8x4xf32> {
  // expected-error @+1 {{'attn.depthwise_conv2d' op kernel [1, 3, 3, 3] has 3 channels; expected 4 like the input, or 1 (one kernel for all channels)}}
  %y = attn.depthwise_conv2d %x, %k : tensor<1x8x8x4xf32>, tensor<1x3x3x3xf32> -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

func.func @conv_rank(%x: tensor<1x8x8x4xf32>, %k: tensor<3x3x1xf32>) -> tensor<1x8x8x4xf32> {
  // expected-error @+1 {{'attn.depthwise_conv2d' op operand 'kernel' has rank 3; expected 4, the input's rank ([..., KY, KX, C or 1])}}
  %y = attn.depthwise_conv2d %x, %k : tensor<1x8x8x4xf32>, tensor<3x3x1xf32> -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

func.func @cumsum_no_dim(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op requires attribute 'dim'}}
  %s = attn.cumsum %a : tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @binary_broadcast(%a: tensor<4x8xf32>, %b: tensor<4x3xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.add' op operand 'rhs' has shape [4, 3] which does not broadcast with lhs [4, 8] in dimension 1; expected 8 or 1}}
  %c = attn.add %a, %b : (tensor<4x8xf32>, tensor<4x3xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

func.func @binary_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.mul' op operand 'rhs' has rank 1 (shape [8]); expected rank 2 like lhs [4, 8]}}
  %c = attn.mul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

func.func @unary_type(%a: tensor<4x8xf32>) -> tensor<4x8xf64> {
  // expected-error @+1 {{'attn.exp' op requires the same type for all operands and results}}
  %c = "attn.exp"(%a) : (tensor<4x8xf32>) -> tensor<4x8xf64>
  return %c : tensor<4x8xf64>
}

// -----

func.func @attention_d(%q: tensor<1x16x64xf32>, %k: tensor<1x16x32xf32>, %v: tensor<1x16x32xf32>) -> tensor<1x16x32xf32> {
  // expected-error @+1 {{'attn.attention' op operand 'key' has shape [1, 16, 32]; expected [1, 16, 64] (same feature size d as query)}}
  %o = attn.attention softmax %q, %k, %v : (tensor<1x16x64xf32>, tensor<1x16x32xf32>, tensor<1x16x32xf32>) -> tensor<1x16x32xf32>
  return %o : tensor<1x16x32xf32>
}

// -----

func.func @attention_tk(%q: tensor<1x16x64xf32>, %k: tensor<1x16x64xf32>, %v: tensor<1x8x32xf32>) -> tensor<1x16x32xf32> {
  // expected-error @+1 {{'attn.attention' op operand 'value' has shape [1, 8, 32]; expected [1, 16, 32] (one value row per key)}}
  %o = attn.attention softmax %q, %k, %v : (tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<1x8x32xf32>) -> tensor<1x16x32xf32>
  return %o : tensor<1x16x32xf32>
}

// -----

func.func @attention_scale(%q: tensor<1x16x64xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+1 {{'attn.attention' op 'scale' is only meaningful for the softmax kernel; a normalised linear kernel cancels it}}
  %o = attn.attention relu %q, %q, %q scale 2.0 : (tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return %o : tensor<1x16x64xf32>
}

// -----

func.func @attention_kernel(%q: tensor<1x16x64xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+2 {{expected ::attn::AttentionKernel to be one of: softmax, elu_plus_one, relu}}
  // expected-error @+1 {{failed to parse Attn_AttentionKernelAttr parameter 'value'}}
  %o = attn.attention cosine %q, %q, %q : (tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return %o : tensor<1x16x64xf32>
}

// -----

func.func @unknown_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{custom op 'attn.flash' is unknown}}
  %b = attn.flash %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

func.func @scale_result(%a: tensor<?x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'attn.scale' op inferred type(s) 'tensor<?x4xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{'attn.scale' op failed to infer returned types}}
  %d = "attn.scale"(%a) {factor = 2.0 : f64} : (tensor<?x4xf32>) -> tensor<3x4xf32>
  return %d : tensor<3x4xf32>
}

// -----

func.func @scale_no_factor(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected 'by'}}
  %d = attn.scale %a : tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

func.func @divide_dim(%x: tensor<4xf32>, %k: tensor<4x2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'attn.divide_by_size' op 'dim' = 2 is out of range for rank 2; expected a value in [-2, 1]}}
  %o = attn.divide_by_size %x, %k {dim = 2 : i64} : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<4xf32>
  return %o : tensor<4xf32>
}

// -----

func.func @decays_size(%a: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op 'decays' has 2 values; expected 3, the size of dimension 1}}
  %s = attn.cumsum %a {dim = 2 : i64, decays = array<f64: 0.5, 0.9>, decays_dim = 1 : i64} : tensor<2x3x8xf32>
  return %s : tensor<2x3x8xf32>
}

// -----

func.func @decays_without_dim(%a: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op 'decays' and 'decays_dim' go together}}
  %s = attn.cumsum %a {dim = 2 : i64, decays = array<f64: 0.5, 0.9, 0.9>} : tensor<2x3x8xf32>
  return %s : tensor<2x3x8xf32>
}

// -----

func.func @decay_and_decays(%a: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op give either 'decay' or 'decays', not both}}
  %s = attn.cumsum %a {dim = 2 : i64, decay = 0.5 : f64, decays = array<f64: 0.5, 0.9, 0.9>, decays_dim = 1 : i64} : tensor<2x3x8xf32>
  return %s : tensor<2x3x8xf32>
}

// -----

func.func @decays_range(%a: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op decay 1.500000 is out of range; expected 0 <= decay <= 1}}
  %s = attn.cumsum %a {dim = 2 : i64, decays = array<f64: 0.5, 1.5, 0.9>, decays_dim = 1 : i64} : tensor<2x3x8xf32>
  return %s : tensor<2x3x8xf32>
}

// -----

func.func @assert_size_static_mismatch(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+1 {{'attn.assert_size' op the sizes always differ (3 vs 5); the function can never run}}
  attn.assert_size %a[0] == %b[0] : tensor<3x4xf32>, tensor<5x4xf32>
  return
}

// -----

func.func @assert_size_dim(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'attn.assert_size' op 'lhs_dim' = 2 is out of range for 'tensor<3x4xf32>'; expected a value in [0, 1]}}
  attn.assert_size %a[2] == 4 : tensor<3x4xf32>
  return
}

// -----

func.func @assert_size_negative(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{'attn.assert_size' op size -1 is negative; expected >= 0}}
  attn.assert_size %a[0] == -1 : tensor<?x4xf32>
  return
}
