// Bad options are refused with a message.
// RUN: not attn-opt %s --attn-reassociate=assume-seq-len=-1 2>&1 | FileCheck %s --check-prefix=NEG
// NEG: error: attn-reassociate: assume-seq-len = -1 is negative; expected 0 (decline dynamic sites) or a sequence length > 0
// RUN: not attn-opt %s --attn-reassociate=assume-seq-len=many 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: for the --assume-seq-len option: 'many' value invalid for long argument
// RUN: not attn-opt %s --attn-reassociate=wisdom=1 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: no such option wisdom

func.func @f(%q: tensor<1x?x8xf32>) -> tensor<1x?x8xf32> {
  return %q : tensor<1x?x8xf32>
}
