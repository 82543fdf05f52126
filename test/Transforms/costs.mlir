// Rewrites that fire report their cost before and after (explain).
// RUN: attn-opt %s --attn-decompose "--attn-reassociate=explain" --attn-causal-to-cumsum=explain "--attn-chunk=size=64 explain" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s
// CHECK-DAG: remark: reassociated (A B) C -> A (B C): FLOPs 4.31e+09 -> 6.79e+07, intermediate 1.68e+07 -> 4.16e+03 elements (M=4096, K=64, S=4096, batch=1)
// CHECK-DAG: remark: rewritten to cumulative sums over 2 use(s); no T x T product remains: FLOPs 4.31e+09 -> 6.79e+07, largest intermediate 1.68e+07 -> 1.68e+07 elements (T=4096, d=64, per batch)
// CHECK-DAG: remark: chunked with size 64: running state 1.68e+07 -> 2.62e+05 elements, plus 6.71e+07 FLOPs of masked 64x64 products (T=4096)

func.func @noncausal(%q: tensor<1x4096x64xf32>, %k: tensor<1x4096x64xf32>, %v: tensor<1x4096x64xf32>) -> tensor<1x4096x64xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v : (tensor<1x4096x64xf32>, tensor<1x4096x64xf32>, tensor<1x4096x64xf32>) -> tensor<1x4096x64xf32>
  return %o : tensor<1x4096x64xf32>
}

func.func @causal(%q: tensor<1x4096x64xf32>, %k: tensor<1x4096x64xf32>, %v: tensor<1x4096x64xf32>) -> tensor<1x4096x64xf32> {
  %o = attn.attention elu_plus_one %q, %k, %v causal : (tensor<1x4096x64xf32>, tensor<1x4096x64xf32>, tensor<1x4096x64xf32>) -> tensor<1x4096x64xf32>
  return %o : tensor<1x4096x64xf32>
}
