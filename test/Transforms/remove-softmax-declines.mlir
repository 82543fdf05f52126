// What attn-remove-softmax leaves alone, and why (explain).
// RUN: attn-opt %s "--attn-remove-softmax=kernel=galerkin explain" --verify-diagnostics -o /dev/null

func.func @declines(%q: tensor<1x16x8xf32>, %dq: tensor<1x?x8xf32>, %v: tensor<1x16x8xf32>) -> (tensor<1x16x16xf32>, tensor<1x16x16xf32>, tensor<1x16x16xf32>, tensor<1x16x16xf32>, tensor<1x?x?xf32>) {
  %s = attn.matmul %q, %q transpose_rhs : tensor<1x16x8xf32>, tensor<1x16x8xf32> -> tensor<1x16x16xf32>
  // expected-remark @+1 {{softmax kept: the softmax is not over the last (key) dimension}}
  %a = attn.softmax %s {dim = 1 : i64} : tensor<1x16x16xf32>
  %e = attn.exp %s : tensor<1x16x16xf32>
  // expected-remark @+1 {{softmax kept: the softmax input is not s Q K^T}}
  %b = attn.softmax %e : tensor<1x16x16xf32>
  %m = attn.causal_mask %s fill zero : tensor<1x16x16xf32>
  // expected-remark @+1 {{softmax kept: a causal mask filling zero before a softmax is not a causal softmax}}
  %c = attn.softmax %m : tensor<1x16x16xf32>
  // expected-remark @+1 {{softmax kept: galerkin needs the softmax's only use to be matmul(softmax, V)}}
  %d = attn.softmax %s : tensor<1x16x16xf32>
  %ds = attn.matmul %dq, %dq transpose_rhs : tensor<1x?x8xf32>, tensor<1x?x8xf32> -> tensor<1x?x?xf32>
  // expected-remark @+1 {{softmax kept: galerkin needs the softmax's only use to be matmul(softmax, V)}}
  %f = attn.softmax %ds : tensor<1x?x?xf32>
  return %a, %b, %c, %d, %f : tensor<1x16x16xf32>, tensor<1x16x16xf32>, tensor<1x16x16xf32>, tensor<1x16x16xf32>, tensor<1x?x?xf32>
}

func.func @negative_scale(%q: tensor<1x16x8xf32>) -> tensor<1x16x16xf32> {
  %s = attn.matmul %q, %q transpose_rhs : tensor<1x16x8xf32>, tensor<1x16x8xf32> -> tensor<1x16x16xf32>
  %n = attn.scale %s by -1.0 : tensor<1x16x16xf32>
  // expected-remark @+1 {{softmax kept: the scale is not positive}}
  %p = attn.softmax %n : tensor<1x16x16xf32>
  return %p : tensor<1x16x16xf32>
}
