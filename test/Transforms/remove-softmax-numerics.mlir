// The rewritten softmax sites against each kernel's formula written out
// independently: the composite attn.attention (its own interpreter code)
// for elu+1 and relu, the paper's association for Fourier and Galerkin.
// RUN: attn-opt %s --attn-remove-softmax=kernel=elu_plus_one -o %t.elu.mlir 2>/dev/null
// RUN: attn-run %t.elu.mlir --entry soft --compare %s --compare-entry expect_elu | FileCheck %s
// RUN: attn-opt %s --attn-remove-softmax=kernel=relu -o %t.relu.mlir 2>/dev/null
// RUN: attn-run %t.relu.mlir --entry soft_causal --compare %s --compare-entry expect_relu_causal | FileCheck %s
// RUN: attn-opt %s --attn-remove-softmax=kernel=fourier -o %t.fourier.mlir 2>/dev/null
// RUN: attn-run %t.fourier.mlir --entry soft --compare %s --compare-entry expect_fourier | FileCheck %s
// RUN: attn-opt %s --attn-remove-softmax=kernel=galerkin -o %t.galerkin.mlir 2>/dev/null
// RUN: attn-run %t.galerkin.mlir --entry soft --compare %s --compare-entry expect_galerkin | FileCheck %s
// Compiled (fp32) too:
// RUN: attn-run %t.galerkin.mlir --entry soft --backend=halide --compare %s --compare-entry expect_galerkin | FileCheck %s
// CHECK: compare result 0: {{.*}}: ok

func.func @soft(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x48xf32>
  %ss = attn.scale %s by 0.35355339059327373 : tensor<1x2x48x48xf32>
  %p = attn.softmax %ss : tensor<1x2x48x48xf32>
  %o = attn.matmul %p, %v : tensor<1x2x48x48xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

func.func @soft_causal(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %o = attn.attention softmax %q, %k, %v causal : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

func.func @expect_elu(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

func.func @expect_relu_causal(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %o = attn.attention relu %q, %k, %v causal : (tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  return %o : tensor<1x2x48x8xf32>
}

// Cao 2021, Fourier-type: LN(Q) (LN(K)^T V) / n.
func.func @expect_fourier(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %lq = attn.layer_norm %q : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %lk = attn.layer_norm %k : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %kv = attn.matmul %lk, %v transpose_lhs : tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x8x8xf32>
  %o = attn.matmul %lq, %kv : tensor<1x2x48x8xf32>, tensor<1x2x8x8xf32> -> tensor<1x2x48x8xf32>
  %n = attn.scale %o by 0.020833333333333332 : tensor<1x2x48x8xf32>
  return %n : tensor<1x2x48x8xf32>
}

// Cao 2021, Galerkin-type: Q (LN(K)^T LN(V)) / n.
func.func @expect_galerkin(%q: tensor<1x2x48x8xf32>, %k: tensor<1x2x48x8xf32>, %v: tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32> {
  %lk = attn.layer_norm %k : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %lv = attn.layer_norm %v : (tensor<1x2x48x8xf32>) -> tensor<1x2x48x8xf32>
  %kv = attn.matmul %lk, %lv transpose_lhs : tensor<1x2x48x8xf32>, tensor<1x2x48x8xf32> -> tensor<1x2x8x8xf32>
  %o = attn.matmul %q, %kv : tensor<1x2x48x8xf32>, tensor<1x2x8x8xf32> -> tensor<1x2x48x8xf32>
  %n = attn.scale %o by 0.020833333333333332 : tensor<1x2x48x8xf32>
  return %n : tensor<1x2x48x8xf32>
}

// A dynamic key length: 1/n becomes attn.divide_by_size.
// RUN: attn-opt %s --attn-remove-softmax=kernel=fourier -o %t.dyn.mlir 2>/dev/null
// RUN: FileCheck %s --check-prefix=DYN < %t.dyn.mlir
// DYN-LABEL: func.func @soft_dynamic
// DYN: attn.divide_by_size %{{.*}}, %arg1 {dim = 2 : i64}
// RUN: attn-run %t.dyn.mlir --entry soft_dynamic --dynamic-size 48 --compare %s --compare-entry expect_fourier | FileCheck %s
// RUN: attn-run %t.dyn.mlir --entry soft_dynamic --dynamic-size 48 --backend=halide --compare %s --compare-entry expect_fourier | FileCheck %s
func.func @soft_dynamic(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %o = attn.attention softmax %q, %k, %v : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}
