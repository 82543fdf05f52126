// The cumulative-sum form -> chunks (zero-padded tail); exact.
// RUN: attn-opt %s --attn-chunk=size=4 --cse | FileCheck %s
// RUN: for c in 1 3 4 64; do attn-opt %s --attn-chunk=size=$c -o %t.$c.mlir; done
// RUN: for c in 1 3 4 64; do for t in 1 4 9 30; do for f in causal retention; do \
// RUN:   attn-run %t.$c.mlir --entry $f --dynamic-size $t --seed $t --compare %s || echo "FAILED $c $t"; \
// RUN: done; done; done 2>&1 | FileCheck %s --check-prefix=AGREE --implicit-check-not=FAIL
// AGREE-COUNT-32: compare result 0: {{.*}}: ok
// RUN: attn-run %t.4.mlir --entry retention --dynamic-size 45 --backend=halide --compare %s | FileCheck %s --check-prefix=FP32
// RUN: attn-run %t.4.mlir --entry causal --dynamic-size 45 --backend=halide --compare %s | FileCheck %s --check-prefix=FP32
// FP32: compare result 0: {{.*}}: ok
// RUN: attn-opt %s "--attn-chunk=size=4 explain" -o /dev/null --verify-diagnostics
// RUN: not attn-opt %s --attn-chunk=size=0 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: attn-chunk: size = 0 is not a chunk length; expected 0 < size <= 2147483647 (kernels index with 32-bit integers)

// CHECK-LABEL: func.func @causal
// CHECK-NOT: tensor<1x2x?x8x6xf32>
// CHECK: attn.chunk %{{.*}} {dim = 2 : i64, size = 4 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x4x8xf32>
// CHECK: attn.causal_mask %{{.*}} fill zero : tensor<1x2x?x4x4xf32>
// CHECK: attn.cumsum %{{.*}} {dim = 2 : i64, exclusive} : tensor<1x2x?x1x8xf32>
// CHECK: attn.cumsum %{{.*}} {dim = 2 : i64, exclusive} : tensor<1x2x?x8x6xf32>
// CHECK: attn.unchunk
// CHECK-NOT: tensor<1x2x?x8x6xf32>
// CHECK: return
func.func @causal(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x6xf32>) -> tensor<1x2x?x6xf32> {
  %0 = attn.feature_map elu_plus_one %k : tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  %1 = attn.feature_map elu_plus_one %q : tensor<1x2x?x8xf32> -> tensor<1x2x?x8xf32>
  // expected-remark @+1 {{chunked with size 4}}
  %2 = attn.cumsum %0 {dim = 2 : i64} : tensor<1x2x?x8xf32>
  %3 = attn.mul %1, %2 : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  %4 = attn.row_sum %3 : tensor<1x2x?x8xf32> -> tensor<1x2x?x1xf32>
  %5 = attn.expand_dims %v {dim = 3 : i64} : tensor<1x2x?x6xf32> -> tensor<1x2x?x1x6xf32>
  %6 = attn.expand_dims %0 {dim = 4 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x8x1xf32>
  %7 = attn.matmul %6, %5 : tensor<1x2x?x8x1xf32>, tensor<1x2x?x1x6xf32> -> tensor<1x2x?x8x6xf32>
  // expected-remark @+1 {{chunked with size 4}}
  %8 = attn.cumsum %7 {dim = 2 : i64} : tensor<1x2x?x8x6xf32>
  %9 = attn.expand_dims %1 {dim = 3 : i64} : tensor<1x2x?x8xf32> -> tensor<1x2x?x1x8xf32>
  %10 = attn.matmul %9, %8 : tensor<1x2x?x1x8xf32>, tensor<1x2x?x8x6xf32> -> tensor<1x2x?x1x6xf32>
  %11 = attn.squeeze %10 {dim = 3 : i64} : tensor<1x2x?x1x6xf32> -> tensor<1x2x?x6xf32>
  %12 = attn.normalize %11, %4 : (tensor<1x2x?x6xf32>, tensor<1x2x?x1xf32>) -> tensor<1x2x?x6xf32>
  return %12 : tensor<1x2x?x6xf32>
}

// Retention (RetNet), recurrent form with decay 0.9: chunked with the
// decay powers; the tail chunk is zero-padded like the plain one.
// CHECK-LABEL: func.func @retention
// CHECK: arith.constant
// CHECK: attn.cumsum %{{.*}} {decay = 6.561000e-01 : f64, dim = 2 : i64, exclusive} : tensor<1x1x?x4x4xf32>
// CHECK-NOT: tensor<1x1x?x4x4xf32> {dim
// CHECK: return
func.func @retention(%q: tensor<1x1x?x4xf32>, %k: tensor<1x1x?x4xf32>, %v: tensor<1x1x?x4xf32>) -> tensor<1x1x?x4xf32> {
  %kx = attn.expand_dims %k {dim = 4 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x?x4x1xf32>
  %vx = attn.expand_dims %v {dim = 3 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x?x1x4xf32>
  %outer = attn.matmul %kx, %vx : tensor<1x1x?x4x1xf32>, tensor<1x1x?x1x4xf32> -> tensor<1x1x?x4x4xf32>
  // expected-remark @+1 {{chunked with size 4}}
  %s = attn.cumsum %outer {dim = 2 : i64, decay = 0.9 : f64} : tensor<1x1x?x4x4xf32>
  %qx = attn.expand_dims %q {dim = 3 : i64} : tensor<1x1x?x4xf32> -> tensor<1x1x?x1x4xf32>
  %ox = attn.matmul %qx, %s : tensor<1x1x?x1x4xf32>, tensor<1x1x?x4x4xf32> -> tensor<1x1x?x1x4xf32>
  %o = attn.squeeze %ox {dim = 3 : i64} : tensor<1x1x?x1x4xf32> -> tensor<1x1x?x4xf32>
  return %o : tensor<1x1x?x4xf32>
}

// Declined: scans that are not attention.
// CHECK-LABEL: func.func @declines
// CHECK-NOT: attn.chunk
func.func @declines(%x: tensor<1x?x8xf32>) -> (tensor<1x?x8xf32>, tensor<1x?x8xf32>) {
  // expected-remark @+1 {{not chunked: not a cumulative sum of attention (see attn-causal-to-cumsum)}}
  %a = attn.cumsum %x {dim = 1 : i64, decay = 0.9 : f64} : tensor<1x?x8xf32>
  // expected-remark @+1 {{not chunked: not a cumulative sum of attention (see attn-causal-to-cumsum)}}
  %b = attn.cumsum %x {dim = 1 : i64} : tensor<1x?x8xf32>
  return %a, %b : tensor<1x?x8xf32>, tensor<1x?x8xf32>
}
