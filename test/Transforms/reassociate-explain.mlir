// With explain, each site looked at says what happened and why.
// RUN: attn-opt %s --attn-reassociate=explain --verify-diagnostics -o /dev/null

func.func @fires(%q: tensor<1x256x16xf32>, %k: tensor<1x256x16xf32>, %v: tensor<1x256x16xf32>) -> tensor<1x256x16xf32> {
  // expected-remark @+1 {{reassociated (A B) C -> A (B C): FLOPs 4.19e+06 -> 2.62e+05, intermediate 6.55e+04 -> 2.56e+02 elements (M=256, K=16, S=256, batch=1)}}
  %s = attn.matmul %q, %k transpose_rhs : tensor<1x256x16xf32>, tensor<1x256x16xf32> -> tensor<1x256x256xf32>
  // expected-remark @+2 {{not reassociated: the product is used as the right operand of a matmul}}
  // expected-remark @+1 {{not reassociated: the product itself is returned}}
  %o = attn.matmul %s, %v : tensor<1x256x256xf32>, tensor<1x256x16xf32> -> tensor<1x256x16xf32>
  return %o : tensor<1x256x16xf32>
}

func.func @declines(%q: tensor<1x4x64xf32>, %dq: tensor<1x?x64xf32>, %big: tensor<1x256x8xf32>) -> (tensor<1x4x64xf32>, tensor<1x?x64xf32>, tensor<1x256x8xf32>, tensor<1x256x8xf32>, tensor<1x8x256xf32>) {
  // expected-remark @+1 {{not reassociated: the rewrite costs more: FLOPs 4.10e+03 -> 6.55e+04, intermediate 1.60e+01 -> 4.10e+03 elements (M=4, K=64, S=4, batch=1)}}
  %s = attn.matmul %q, %q transpose_rhs : tensor<1x4x64xf32>, tensor<1x4x64xf32> -> tensor<1x4x4xf32>
  // expected-remark @+1 {{not reassociated: the product itself is returned}}
  %o = attn.matmul %s, %q : tensor<1x4x4xf32>, tensor<1x4x64xf32> -> tensor<1x4x64xf32>
  // expected-remark @+1 {{not reassociated: the cost depends on a dynamic size (M (rows of the product)); set assume-seq-len=N to decide}}
  %ds = attn.matmul %dq, %dq transpose_rhs : tensor<1x?x64xf32>, tensor<1x?x64xf32> -> tensor<1x?x?xf32>
  // expected-remark @+1 {{not reassociated: the product itself is returned}}
  %do = attn.matmul %ds, %dq : tensor<1x?x?xf32>, tensor<1x?x64xf32> -> tensor<1x?x64xf32>
  // expected-remark @+1 {{not reassociated: a softmax is between the product and its use (attn-remove-softmax replaces it by a kernel)}}
  %bs = attn.matmul %big, %big transpose_rhs : tensor<1x256x8xf32>, tensor<1x256x8xf32> -> tensor<1x256x256xf32>
  %p = attn.softmax %bs : tensor<1x256x256xf32>
  // expected-remark @+1 {{not reassociated: the product itself is returned}}
  %bo = attn.matmul %p, %big : tensor<1x256x256xf32>, tensor<1x256x8xf32> -> tensor<1x256x8xf32>
  // expected-remark @+1 {{not reassociated: a causal mask is between the product and its use (attn-causal-to-cumsum handles masked products)}}
  %cs = attn.matmul %big, %big transpose_rhs : tensor<1x256x8xf32>, tensor<1x256x8xf32> -> tensor<1x256x256xf32>
  %m = attn.causal_mask %cs fill zero : tensor<1x256x256xf32>
  // expected-remark @+1 {{not reassociated: the product itself is returned}}
  %mo = attn.matmul %m, %big : tensor<1x256x256xf32>, tensor<1x256x8xf32> -> tensor<1x256x8xf32>
  // expected-remark @+1 {{not reassociated: the product is used as the right operand of a matmul}}
  %rs = attn.matmul %big, %big transpose_rhs : tensor<1x256x8xf32>, tensor<1x256x8xf32> -> tensor<1x256x256xf32>
  // expected-remark @+1 {{not reassociated: the product itself is returned}}
  %ro = attn.matmul %big, %rs transpose_lhs : tensor<1x256x8xf32>, tensor<1x256x256xf32> -> tensor<1x8x256xf32>
  return %o, %do, %bo, %mo, %ro : tensor<1x4x64xf32>, tensor<1x?x64xf32>, tensor<1x256x8xf32>, tensor<1x256x8xf32>, tensor<1x8x256xf32>
}
