// Every op compiled through Halide (JIT, default schedule) agrees with the
// reference interpreter on seeded random inputs. Sizes are odd on purpose
// (vector tails) and dynamic sizes take several values.
// RUN: for f in $(grep -o '^func.func @[a-z0-9_]*' %s | cut -d@ -f2); do \
// RUN:   for t in 5 37; do \
// RUN:     attn-run %s --entry $f --dynamic-size $t --seed $t --backend=halide --compare %s || echo "FAILED $f T=$t"; \
// RUN:   done; \
// RUN: done > %t.log 2>&1; cat %t.log | FileCheck %s --implicit-check-not=FAIL
// CHECK: compare result 0
// Other targets than the machine's best:
// RUN: attn-run %s --entry matmul_variants --target=x86-64-avx2 --backend=halide --compare %s | FileCheck %s --check-prefix=OTHER
// RUN: attn-run %s --entry softmax_dims --target=x86-64 --backend=halide --compare %s | FileCheck %s --check-prefix=OTHER
// OTHER: compare result 0{{.*}}: ok

func.func @matmul_variants(%a: tensor<2x3x?x19xf32>, %b: tensor<2x3x?x19xf32>, %c: tensor<1x3x19x21xf32>)
    -> (tensor<2x3x?x?xf32>, tensor<2x3x19x19xf32>, tensor<2x3x?x21xf32>, tensor<2x3x19x?xf32>) {
  %0 = attn.matmul %a, %b transpose_rhs : tensor<2x3x?x19xf32>, tensor<2x3x?x19xf32> -> tensor<2x3x?x?xf32>
  %1 = attn.matmul %a, %b transpose_lhs : tensor<2x3x?x19xf32>, tensor<2x3x?x19xf32> -> tensor<2x3x19x19xf32>
  %2 = attn.matmul %a, %c : tensor<2x3x?x19xf32>, tensor<1x3x19x21xf32> -> tensor<2x3x?x21xf32>
  %3 = attn.matmul %a, %0 transpose_lhs transpose_rhs : tensor<2x3x?x19xf32>, tensor<2x3x?x?xf32> -> tensor<2x3x19x?xf32>
  return %0, %1, %2, %3 : tensor<2x3x?x?xf32>, tensor<2x3x19x19xf32>, tensor<2x3x?x21xf32>, tensor<2x3x19x?xf32>
}

func.func @transpose_perms(%a: tensor<2x?x5x7xf32>) -> (tensor<2x5x?x7xf32>, tensor<7x5x?x2xf32>) {
  %0 = attn.transpose %a [0, 2, 1, 3] : tensor<2x?x5x7xf32> -> tensor<2x5x?x7xf32>
  %1 = attn.transpose %a [3, 2, 1, 0] : tensor<2x?x5x7xf32> -> tensor<7x5x?x2xf32>
  return %0, %1 : tensor<2x5x?x7xf32>, tensor<7x5x?x2xf32>
}

func.func @softmax_dims(%a: tensor<2x3x?x13xf32>) -> (tensor<2x3x?x13xf32>, tensor<2x3x?x13xf32>, tensor<2x3x?x13xf32>) {
  %0 = attn.softmax %a : tensor<2x3x?x13xf32>
  %1 = attn.softmax %a {dim = 2 : i64} : tensor<2x3x?x13xf32>
  %2 = attn.softmax %a {dim = 0 : i64} : tensor<2x3x?x13xf32>
  return %0, %1, %2 : tensor<2x3x?x13xf32>, tensor<2x3x?x13xf32>, tensor<2x3x?x13xf32>
}

func.func @masks(%a: tensor<2x?x?xf32>, %b: tensor<3x9x4xf32>) -> (tensor<2x?x?xf32>, tensor<2x?x?xf32>, tensor<3x9x4xf32>) {
  %0 = attn.causal_mask %a fill zero : tensor<2x?x?xf32>
  %1 = attn.causal_mask %a fill lowest : tensor<2x?x?xf32>
  %2 = attn.causal_mask %b fill zero : tensor<3x9x4xf32>
  return %0, %1, %2 : tensor<2x?x?xf32>, tensor<2x?x?xf32>, tensor<3x9x4xf32>
}

func.func @norms(%a: tensor<2x?x24xf32>, %g: tensor<24xf32>, %b: tensor<24xf32>)
    -> (tensor<2x?x24xf32>, tensor<2x?x24xf32>, tensor<2x?x24xf32>, tensor<2x?x24xf32>) {
  %0 = attn.layer_norm %a : (tensor<2x?x24xf32>) -> tensor<2x?x24xf32>
  %1 = attn.layer_norm %a affine(%g, %b) {eps = 1.0e-3 : f64} : (tensor<2x?x24xf32>, tensor<24xf32>, tensor<24xf32>) -> tensor<2x?x24xf32>
  %2 = attn.rms_norm %a : (tensor<2x?x24xf32>) -> tensor<2x?x24xf32>
  %3 = attn.rms_norm %a affine(%g) : (tensor<2x?x24xf32>, tensor<24xf32>) -> tensor<2x?x24xf32>
  return %0, %1, %2, %3 : tensor<2x?x24xf32>, tensor<2x?x24xf32>, tensor<2x?x24xf32>, tensor<2x?x24xf32>
}

func.func @normalize_rows(%n: tensor<2x?x11xf32>, %d: tensor<2x?x1xf32>, %b: tensor<1x?x1xf32>) -> (tensor<2x?x11xf32>, tensor<2x?x11xf32>) {
  %e = attn.exp %d : tensor<2x?x1xf32>
  %0 = attn.normalize %n, %e : (tensor<2x?x11xf32>, tensor<2x?x1xf32>) -> tensor<2x?x11xf32>
  %eb = attn.exp %b : tensor<1x?x1xf32>
  %1 = attn.normalize %n, %eb {eps = 0.5 : f64} : (tensor<2x?x11xf32>, tensor<1x?x1xf32>) -> tensor<2x?x11xf32>
  return %0, %1 : tensor<2x?x11xf32>, tensor<2x?x11xf32>
}

func.func @feature_maps(%a: tensor<1x2x?x17xf32>, %w: tensor<33x17xf32>)
    -> (tensor<1x2x?x17xf32>, tensor<1x2x?x17xf32>, tensor<1x2x?x17xf32>, tensor<1x2x?x17xf32>, tensor<1x2x?x33xf32>) {
  %0 = attn.feature_map identity %a : tensor<1x2x?x17xf32> -> tensor<1x2x?x17xf32>
  %1 = attn.feature_map relu %a : tensor<1x2x?x17xf32> -> tensor<1x2x?x17xf32>
  %2 = attn.feature_map elu_plus_one %a : tensor<1x2x?x17xf32> -> tensor<1x2x?x17xf32>
  %3 = attn.feature_map exp %a : tensor<1x2x?x17xf32> -> tensor<1x2x?x17xf32>
  %4 = attn.feature_map favor %a, %w : tensor<1x2x?x17xf32>, tensor<33x17xf32> -> tensor<1x2x?x33xf32>
  return %0, %1, %2, %3, %4 : tensor<1x2x?x17xf32>, tensor<1x2x?x17xf32>, tensor<1x2x?x17xf32>, tensor<1x2x?x17xf32>, tensor<1x2x?x33xf32>
}

func.func @sums_and_scans(%a: tensor<2x3x?x9xf32>)
    -> (tensor<2x3x?x1xf32>, tensor<2x3x1x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>) {
  %0 = attn.row_sum %a : tensor<2x3x?x9xf32> -> tensor<2x3x?x1xf32>
  %1 = attn.row_sum %a {dim = 2 : i64} : tensor<2x3x?x9xf32> -> tensor<2x3x1x9xf32>
  %2 = attn.cumsum %a {dim = 2 : i64} : tensor<2x3x?x9xf32>
  %3 = attn.cumsum %a {dim = 2 : i64, exclusive} : tensor<2x3x?x9xf32>
  %4 = attn.cumsum %a {dim = 2 : i64, decay = 0.9 : f64} : tensor<2x3x?x9xf32>
  %5 = attn.cumsum %a {dim = -1 : i64, exclusive, decay = 0.5 : f64} : tensor<2x3x?x9xf32>
  %6 = attn.scale %a by -0.375 : tensor<2x3x?x9xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3x?x1xf32>, tensor<2x3x1x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>
}

// Scans from a carry (a prefill's state), their last elements, and last of
// other values; outer products (K = 1) are inlined into their scan.
func.func @scans_with_state(%a: tensor<2x3x?x9xf32>, %s: tensor<2x3x1x9xf32>, %b: tensor<2x3x?x5xf32>, %t: tensor<2x3x1x9x5xf32>)
    -> (tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x1x9xf32>, tensor<2x3x1x9xf32>, tensor<2x3x?x1xf32>, tensor<2x3x1x9x5xf32>, tensor<2x3x?x9x5xf32>) {
  %0 = attn.cumsum %a init %s {dim = 2 : i64, decay = 0.75 : f64} : tensor<2x3x?x9xf32>, tensor<2x3x1x9xf32>
  %1 = attn.cumsum %a init %s {dim = 2 : i64, exclusive, decays = array<f64: 0.5, 0.9, 1.0>, decays_dim = 1 : i64} : tensor<2x3x?x9xf32>, tensor<2x3x1x9xf32>
  %2 = attn.last %0 {dim = 2 : i64} : tensor<2x3x?x9xf32> -> tensor<2x3x1x9xf32>
  %3 = attn.last %a {dim = 2 : i64} : tensor<2x3x?x9xf32> -> tensor<2x3x1x9xf32>
  %l = attn.cumsum %a init %s {dim = 2 : i64} : tensor<2x3x?x9xf32>, tensor<2x3x1x9xf32>
  %c = attn.last %l {dim = -1 : i64} : tensor<2x3x?x9xf32> -> tensor<2x3x?x1xf32>
  %ax = attn.expand_dims %a {dim = 4 : i64} : tensor<2x3x?x9xf32> -> tensor<2x3x?x9x1xf32>
  %bx = attn.expand_dims %b {dim = 3 : i64} : tensor<2x3x?x5xf32> -> tensor<2x3x?x1x5xf32>
  %o = attn.matmul %ax, %bx : tensor<2x3x?x9x1xf32>, tensor<2x3x?x1x5xf32> -> tensor<2x3x?x9x5xf32>
  %so = attn.cumsum %o init %t {dim = 2 : i64, decays = array<f64: 0.5, 0.9, 1.0>, decays_dim = 1 : i64} : tensor<2x3x?x9x5xf32>, tensor<2x3x1x9x5xf32>
  %ls = attn.last %so {dim = 2 : i64} : tensor<2x3x?x9x5xf32> -> tensor<2x3x1x9x5xf32>
  return %0, %1, %2, %3, %c, %ls, %o : tensor<2x3x?x9xf32>, tensor<2x3x?x9xf32>, tensor<2x3x1x9xf32>, tensor<2x3x1x9xf32>, tensor<2x3x?x1xf32>, tensor<2x3x1x9x5xf32>, tensor<2x3x?x9x5xf32>
}

// Depthwise convolutions over images of ? x 7 positions: one kernel per
// head, one per channel, and a 1 x 1 kernel.
func.func @depthwise_convs(%x: tensor<1x2x?x7x5xf32>, %kh: tensor<1x2x3x3x1xf32>, %kc: tensor<1x1x5x3x5xf32>, %k1: tensor<1x1x1x1x1xf32>)
    -> (tensor<1x2x?x7x5xf32>, tensor<1x2x?x7x5xf32>, tensor<1x2x?x7x5xf32>) {
  %0 = attn.depthwise_conv2d %x, %kh : tensor<1x2x?x7x5xf32>, tensor<1x2x3x3x1xf32> -> tensor<1x2x?x7x5xf32>
  %1 = attn.depthwise_conv2d %x, %kc : tensor<1x2x?x7x5xf32>, tensor<1x1x5x3x5xf32> -> tensor<1x2x?x7x5xf32>
  %2 = attn.depthwise_conv2d %x, %k1 : tensor<1x2x?x7x5xf32>, tensor<1x1x1x1x1xf32> -> tensor<1x2x?x7x5xf32>
  return %0, %1, %2 : tensor<1x2x?x7x5xf32>, tensor<1x2x?x7x5xf32>, tensor<1x2x?x7x5xf32>
}

func.func @elementwise_ops(%a: tensor<3x?x10xf32>, %b: tensor<1x?x1xf32>, %c: tensor<3x1x10xf32>)
    -> (tensor<3x?x10xf32>, tensor<3x?x10xf32>, tensor<3x?x10xf32>, tensor<3x?x10xf32>, tensor<3x?x10xf32>) {
  %0 = attn.exp %a : tensor<3x?x10xf32>
  %1 = attn.sigmoid %a : tensor<3x?x10xf32>
  %2 = attn.silu %a : tensor<3x?x10xf32>
  %3 = attn.relu %a : tensor<3x?x10xf32>
  %4 = attn.square %a : tensor<3x?x10xf32>
  %5 = attn.neg %a : tensor<3x?x10xf32>
  %6 = attn.add %0, %b : (tensor<3x?x10xf32>, tensor<1x?x1xf32>) -> tensor<3x?x10xf32>
  %7 = attn.sub %1, %c : (tensor<3x?x10xf32>, tensor<3x1x10xf32>) -> tensor<3x?x10xf32>
  %8 = attn.mul %2, %3 : (tensor<3x?x10xf32>, tensor<3x?x10xf32>) -> tensor<3x?x10xf32>
  %ob = attn.exp %b : tensor<1x?x1xf32>
  %9 = attn.div %4, %ob : (tensor<3x?x10xf32>, tensor<1x?x1xf32>) -> tensor<3x?x10xf32>
  %10 = attn.max %5, %c : (tensor<3x?x10xf32>, tensor<3x1x10xf32>) -> tensor<3x?x10xf32>
  return %6, %7, %8, %9, %10 : tensor<3x?x10xf32>, tensor<3x?x10xf32>, tensor<3x?x10xf32>, tensor<3x?x10xf32>, tensor<3x?x10xf32>
}

func.func @attentions(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x12xf32>)
    -> (tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>) {
  %0 = attn.attention softmax %q, %k, %v : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x12xf32>) -> tensor<1x2x?x12xf32>
  %1 = attn.attention softmax %q, %k, %v causal scale 0.7 : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x12xf32>) -> tensor<1x2x?x12xf32>
  %2 = attn.attention elu_plus_one %q, %k, %v : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x12xf32>) -> tensor<1x2x?x12xf32>
  %3 = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x12xf32>) -> tensor<1x2x?x12xf32>
  %4 = attn.attention relu %q, %k, %v causal : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x12xf32>) -> tensor<1x2x?x12xf32>
  return %0, %1, %2, %3, %4 : tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>, tensor<1x2x?x12xf32>
}

// Cross-attention: queries and keys of different lengths, one dynamic.
func.func @cross_attention(%q: tensor<2x7x8xf32>, %k: tensor<2x?x8xf32>, %v: tensor<2x?x8xf32>) -> (tensor<2x7x8xf32>, tensor<2x7x8xf32>) {
  %0 = attn.attention softmax %q, %k, %v : (tensor<2x7x8xf32>, tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<2x7x8xf32>
  %1 = attn.attention relu %q, %k, %v : (tensor<2x7x8xf32>, tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<2x7x8xf32>
  return %0, %1 : tensor<2x7x8xf32>, tensor<2x7x8xf32>
}

// Double precision end to end, and a function returning its argument.
func.func @double_precision(%a: tensor<?x6xf64>, %b: tensor<6x?xf64>) -> (tensor<?x?xf64>, tensor<?x6xf64>) {
  %0 = attn.matmul %a, %b : tensor<?x6xf64>, tensor<6x?xf64> -> tensor<?x?xf64>
  %1 = attn.softmax %0 : tensor<?x?xf64>
  return %1, %a : tensor<?x?xf64>, tensor<?x6xf64>
}

// A chain of a primitive softmax attention with a constant bias.
func.func @primitive_chain(%q: tensor<1x4x?x8xf32>, %k: tensor<1x4x?x8xf32>, %v: tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32> {
  %bias = arith.constant dense<[0.5, -0.25, 1.0, 0.0, 2.0, -1.0, 0.125, 0.75]> : tensor<8xf32>
  %g = arith.constant dense<1.5> : tensor<8xf32>
  %qn = attn.layer_norm %q affine(%g, %bias) : (tensor<1x4x?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x?x8xf32>
  %s = attn.matmul %qn, %k transpose_rhs : tensor<1x4x?x8xf32>, tensor<1x4x?x8xf32> -> tensor<1x4x?x?xf32>
  %ss = attn.scale %s by 0.35355339059327373 : tensor<1x4x?x?xf32>
  %m = attn.causal_mask %ss fill lowest : tensor<1x4x?x?xf32>
  %p = attn.softmax %m : tensor<1x4x?x?xf32>
  %o = attn.matmul %p, %v : tensor<1x4x?x?xf32>, tensor<1x4x?x8xf32> -> tensor<1x4x?x8xf32>
  return %o : tensor<1x4x?x8xf32>
}

// Sums along the same dimension onto one shape share a loop nest only where
// their lengths are equal (here %ea and %m by the mul's shape check; %b's 37
// rows differ from T, and fused it would have summed only T of them).
func.func @sibling_sums(%a: tensor<2x?x16xf32>, %b: tensor<2x37x16xf32>, %c: tensor<2x?x16xf32>)
    -> (tensor<2x1x16xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>) {
  %ea = attn.exp %a : tensor<2x?x16xf32>
  %m = attn.mul %ea, %c : (tensor<2x?x16xf32>, tensor<2x?x16xf32>) -> tensor<2x?x16xf32>
  %0 = attn.row_sum %ea {dim = 1 : i64} : tensor<2x?x16xf32> -> tensor<2x1x16xf32>
  %1 = attn.row_sum %b {dim = 1 : i64} : tensor<2x37x16xf32> -> tensor<2x1x16xf32>
  %2 = attn.row_sum %m {dim = 1 : i64} : tensor<2x?x16xf32> -> tensor<2x1x16xf32>
  return %0, %1, %2 : tensor<2x1x16xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>
}
