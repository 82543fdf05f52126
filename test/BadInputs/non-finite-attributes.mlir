// A NaN or negative eps and a NaN scale were accepted; the reference then
// computed NaN where compiled code computed finite values. Each is a
// verifier error.
// RUN: attn-opt %s -split-input-file -verify-diagnostics

func.func @layer_norm_nan_eps(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.layer_norm' op 'eps' is nan; expected a finite number}}
  %y = attn.layer_norm %x {eps = 0x7FF8000000000000 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @layer_norm_negative_eps(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.layer_norm' op 'eps' is -1.000000e-05; expected eps >= 0 (it is added to a variance or a denominator)}}
  %y = attn.layer_norm %x {eps = -1.0e-5 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rms_norm_infinite_eps(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.rms_norm' op 'eps' is INF; expected a finite number}}
  %y = attn.rms_norm %x {eps = 0x7FF0000000000000 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @normalize_negative_eps(%x: tensor<4x8xf32>, %d: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.normalize' op 'eps' is -1.000000e+00; expected eps >= 0}}
  %y = attn.normalize %x, %d {eps = -1.0 : f64} : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @scale_nan(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.scale' op 'factor' is nan; expected a finite number}}
  %y = attn.scale %x by 0x7FF8000000000000 : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @attention_nan_scale(%q: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{'attn.attention' op 'scale' is nan; expected a finite number}}
  %o = attn.attention softmax %q, %q, %q scale 0x7FF8000000000000 : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

func.func @attention_infinite_scale(%q: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{'attn.attention' op 'scale' is -INF; expected a finite number}}
  %o = attn.attention softmax %q, %q, %q scale 0xFFF0000000000000 : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

func.func @cumsum_nan_decay(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'attn.cumsum' op 'decay' is nan; expected a finite number}}
  %y = attn.cumsum %x {dim = 0 : i64, decay = 0x7FF8000000000000 : f64} : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
