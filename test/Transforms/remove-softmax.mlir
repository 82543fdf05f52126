// softmax(s Q K^T) -> kernel attention, one RUN per kernel.
// RUN: attn-opt %s --attn-remove-softmax=kernel=elu_plus_one 2>/dev/null | FileCheck %s --check-prefix=ELU
// RUN: attn-opt %s --attn-remove-softmax=kernel=relu 2>/dev/null | FileCheck %s --check-prefix=RELU
// RUN: attn-opt %s "--attn-remove-softmax=kernel=favor features=12 seed=7" 2>/dev/null | FileCheck %s --check-prefix=FAVOR
// RUN: attn-opt %s --attn-remove-softmax=kernel=fourier 2>/dev/null | FileCheck %s --check-prefix=FOURIER
// RUN: attn-opt %s --attn-remove-softmax=kernel=galerkin 2>/dev/null | FileCheck %s --check-prefix=GALERKIN
// Every changed site says so, without being asked:
// RUN: attn-opt %s --attn-remove-softmax=kernel=relu -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// REMARK: remove-softmax.mlir:[[@LINE+14]]:8: remark: softmax attention replaced by relu linear attention (the softmax scale cancels); this changes the model
// REMARK: remove-softmax.mlir:[[@LINE+31]]:8: remark: softmax attention replaced by relu linear attention (the softmax scale cancels), causal; this changes the model

// ELU-LABEL: func.func @plain
// ELU-DAG: %[[FQ:.*]] = attn.feature_map elu_plus_one %arg0
// ELU-DAG: %[[FK:.*]] = attn.feature_map elu_plus_one %arg1
// ELU: %[[P:.*]] = attn.matmul %[[FQ]], %[[FK]] transpose_rhs
// ELU: %[[Z:.*]] = attn.row_sum %[[P]]
// ELU: %[[W:.*]] = attn.normalize %[[P]], %[[Z]]
// ELU: attn.matmul %[[W]], %arg2
// ELU-NOT: attn.softmax
func.func @plain(%q: tensor<1x2x64x8xf32>, %k: tensor<1x2x64x8xf32>, %v: tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32> -> tensor<1x2x64x64xf32>
  %ss = attn.scale %s by 0.35355339059327373 : tensor<1x2x64x64xf32>
  %p = attn.softmax %ss : tensor<1x2x64x64xf32>
  %o = attn.matmul %p, %v : tensor<1x2x64x64xf32>, tensor<1x2x64x8xf32> -> tensor<1x2x64x8xf32>
  return %o : tensor<1x2x64x8xf32>
}

// RELU-LABEL: func.func @causal
// RELU: attn.feature_map relu
// RELU: attn.causal_mask %{{.*}} fill zero
// RELU: attn.normalize
// FAVOR-LABEL: func.func @causal
// FAVOR: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<12x8xf32>
// FAVOR-DAG: %[[SK:.*]] = attn.scale %arg1 by 0.59460355750136051
// FAVOR-DAG: attn.feature_map favor %[[SK]], %[[W]] : tensor<1x2x64x8xf32>, tensor<12x8xf32> -> tensor<1x2x64x12xf32>
// FAVOR: attn.causal_mask %{{.*}} fill zero
func.func @causal(%q: tensor<1x2x64x8xf32>, %k: tensor<1x2x64x8xf32>, %v: tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32> -> tensor<1x2x64x64xf32>
  %ss = attn.scale %s by 0.35355339059327373 : tensor<1x2x64x64xf32>
  %m = attn.causal_mask %ss fill lowest : tensor<1x2x64x64xf32>
  %p = attn.softmax %m : tensor<1x2x64x64xf32>
  %o = attn.matmul %p, %v : tensor<1x2x64x64xf32>, tensor<1x2x64x8xf32> -> tensor<1x2x64x8xf32>
  return %o : tensor<1x2x64x8xf32>
}

// FOURIER-LABEL: func.func @fourier_site
// FOURIER-DAG: %[[LQ:.*]] = attn.layer_norm %arg0
// FOURIER-DAG: %[[LK:.*]] = attn.layer_norm %arg1
// FOURIER: %[[P:.*]] = attn.matmul %[[LQ]], %[[LK]] transpose_rhs
// FOURIER: %[[S:.*]] = attn.scale %[[P]] by 1.562500e-02
// FOURIER: attn.matmul %[[S]], %arg2
// GALERKIN-LABEL: func.func @fourier_site
// GALERKIN: %[[LK:.*]] = attn.layer_norm %arg1
// GALERKIN: %[[P:.*]] = attn.matmul %arg0, %[[LK]] transpose_rhs
// GALERKIN: %[[S:.*]] = attn.scale %[[P]] by 1.562500e-02
// GALERKIN: %[[LV:.*]] = attn.layer_norm %arg2
// GALERKIN: attn.matmul %[[S]], %[[LV]]
func.func @fourier_site(%q: tensor<2x64x8xf32>, %k: tensor<2x64x8xf32>, %v: tensor<2x64x8xf32>) -> tensor<2x64x8xf32> {
  %s = attn.matmul %q, %k transpose_rhs : tensor<2x64x8xf32>, tensor<2x64x8xf32> -> tensor<2x64x64xf32>
  %p = attn.softmax %s : tensor<2x64x64xf32>
  %o = attn.matmul %p, %v : tensor<2x64x64xf32>, tensor<2x64x8xf32> -> tensor<2x64x8xf32>
  return %o : tensor<2x64x8xf32>
}
