//===- AttnBase.td - attn dialect definition and enums -----*- tablegen -*-===//
#ifndef ATTN_BASE_TD
#define ATTN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::attn";
  let summary = "Attention of model graphs, and its linear-time forms";
  let description = [{
    Tensors are ranked, of `f32` or `f64`, and laid out `[batch, heads, seq, dim]`
    by convention: every op works on the trailing one or two dimensions and
    treats the leading ones as batch dimensions. A dimension may be dynamic
    (`?`); verifiers check what is known statically and the reference
    interpreter and generated kernels check the rest at run time.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect"];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

def Attn_FloatTensor : RankedTensorOf<[F32, F64]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Attn_FeatureMapKind : I32EnumAttr<"FeatureMapKind",
    "feature map phi applied to queries and keys", [
      I32EnumAttrCase<"identity", 0>,
      I32EnumAttrCase<"relu", 1>,
      I32EnumAttrCase<"elu_plus_one", 2>,
      I32EnumAttrCase<"exp", 3>,
      I32EnumAttrCase<"favor", 4>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::attn";
}
def Attn_FeatureMapKindAttr
    : EnumAttr<Attn_Dialect, Attn_FeatureMapKind, "feature_map_kind"> {
  let assemblyFormat = "$value";
}

def Attn_MaskFill : I32EnumAttr<"MaskFill",
    "value written where a mask hides an entry", [
      I32EnumAttrCase<"zero", 0>,
      I32EnumAttrCase<"lowest", 1>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::attn";
}
def Attn_MaskFillAttr : EnumAttr<Attn_Dialect, Attn_MaskFill, "mask_fill"> {
  let assemblyFormat = "$value";
}

def Attn_AttentionKernel : I32EnumAttr<"AttentionKernel",
    "similarity kernel of the composite attention op", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"elu_plus_one", 1>,
      I32EnumAttrCase<"relu", 2>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::attn";
}
def Attn_AttentionKernelAttr
    : EnumAttr<Attn_Dialect, Attn_AttentionKernel, "attention_kernel"> {
  let assemblyFormat = "$value";
}

#endif // ATTN_BASE_TD
