// RUN: not attn-opt %s --attn-remove-softmax 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: attn-remove-softmax: kernel='' is not a kernel; expected one of elu_plus_one, relu, favor, galerkin, fourier
// RUN: not attn-opt %s --attn-remove-softmax=kernel=cosine 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: attn-remove-softmax: kernel='cosine' is not a kernel
// RUN: not attn-opt %s "--attn-remove-softmax=kernel=favor features=-3" 2>&1 | FileCheck %s --check-prefix=FEATURES
// FEATURES: error: attn-remove-softmax: features = -3 is out of range; expected 0 < m <= 65536 (or 0 for m = d)
func.func @f(%q: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  return %q : tensor<1x4x8xf32>
}
