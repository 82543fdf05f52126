//===- AttnOps.td - attn dialect operations ----------------*- tablegen -*-===//
#ifndef ATTN_OPS_TD
#define ATTN_OPS_TD

include "dialect/AttnBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Contractions and layout
//===----------------------------------------------------------------------===//

def Attn_MatmulOp : Attn_Op<"matmul", [Pure]> {
  let summary = "batched matrix product over the two trailing dimensions";
  let description = [{
    `C[..., m, n] = sum_k A'[..., m, k] * B'[..., k, n]` where `A'` is `lhs`
    (or its transpose over the trailing two dimensions with `transpose_lhs`)
    and `B'` likewise. Both operands have the same rank; a leading (batch)
    dimension of static size 1 broadcasts against the other operand.

    ```mlir
    %s = attn.matmul %q, %k transpose_rhs
        : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32> -> tensor<1x8x?x?xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$lhs, Attn_FloatTensor:$rhs,
                   UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict
    `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_TransposeOp : Attn_Op<"transpose", [Pure]> {
  let summary = "permutes dimensions";
  let description = [{
    `result` dimension `i` is `input` dimension `permutation[i]`.

    ```mlir
    %kt = attn.transpose %k [0, 1, 3, 2]
        : tensor<1x8x128x64xf32> -> tensor<1x8x64x128xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_ExpandDimsOp : Attn_Op<"expand_dims", [Pure]> {
  let summary = "inserts a dimension of size 1 at position `dim`";
  let arguments = (ins Attn_FloatTensor:$input, I64Attr:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Attn_SqueezeOp : Attn_Op<"squeeze", [Pure]> {
  let summary = "removes the dimension `dim`, of static size 1";
  let arguments = (ins Attn_FloatTensor:$input, I64Attr:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Attn_ChunkOp : Attn_Op<"chunk", [Pure]> {
  let summary = "splits dimension `dim` into chunks of `size`, zero-padded";
  let description = [{
    `[.., T, ..] -> [.., ceil(T / size), size, ..]`: element `(n, c)` is
    element `n * size + c` of the input, or 0 past its end (the tail chunk
    is padded with zeros).
  }];
  let arguments = (ins Attn_FloatTensor:$input, I64Attr:$dim, I64Attr:$size);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Attn_UnchunkOp : Attn_Op<"unchunk", [Pure]> {
  let summary = "merges dimensions `dim`, `dim + 1` and drops the padding";
  let description = [{
    The inverse of `attn.chunk`: `[.., N, C, ..] -> [.., T, ..]` with `T`
    the size of dimension `dim` of `like` (the tensor that was chunked);
    `N * C >= T` must hold.
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_FloatTensor:$like,
                   I64Attr:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `like` $like attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisations and masks
//===----------------------------------------------------------------------===//

def Attn_SoftmaxOp : Attn_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "numerically stable softmax along one dimension";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `dim` (default: the last;
    negative values count from the end).
  }];
  let arguments = (ins Attn_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Attn_CausalMaskOp : Attn_Op<"causal_mask",
                                [Pure, SameOperandsAndResultType]> {
  let summary = "hides the future: entry (i, j) with j > i takes `fill`";
  let description = [{
    Over the two trailing dimensions (rows `i`, columns `j`), entries with
    `j > i` become 0 (`fill zero`, before a softmax-free product) or the
    lowest finite value of the element type (`fill lowest`, before a softmax;
    generated code assumes no infinities).
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_MaskFillAttr:$fill);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input `fill` `` $fill attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Attn_LayerNormOp : Attn_Op<"layer_norm",
                               [Pure, AttrSizedOperandSegments]> {
  let summary = "layer normalisation over the last dimension";
  let description = [{
    `(x - mean) / sqrt(var + eps)` over the last dimension (biased variance),
    then `* gamma + beta` when `affine(gamma, beta)` is given (both 1-D of the
    last dimension's size).
  }];
  let arguments = (ins Attn_FloatTensor:$input,
                   Optional<Attn_FloatTensor>:$gamma,
                   Optional<Attn_FloatTensor>:$beta,
                   DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`affine` `(` $gamma^ `,` $beta `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Attn_RmsNormOp : Attn_Op<"rms_norm", [Pure]> {
  let summary = "root-mean-square normalisation over the last dimension";
  let description = [{
    `x / sqrt(mean(x^2) + eps)`, then `* gamma` when `affine(gamma)` is given.
  }];
  let arguments = (ins Attn_FloatTensor:$input,
                   Optional<Attn_FloatTensor>:$gamma,
                   DefaultValuedAttr<F64Attr, "1e-6">:$eps);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`affine` `(` $gamma^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Attn_NormalizeOp : Attn_Op<"normalize", [Pure]> {
  let summary = "row normalisation: num / (den + eps)";
  let description = [{
    `den` has the shape of `num` with the last dimension 1 (a row sum); the
    division broadcasts along the last dimension, and along any other
    dimension where `den` has a static size 1. `eps` defaults to 1e-6
    (Katharopoulos et al. 2020).
  }];
  let arguments = (ins Attn_FloatTensor:$num, Attn_FloatTensor:$den,
                   DefaultValuedAttr<F64Attr, "1e-6">:$eps);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $num `,` $den attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Feature maps, scales and reductions
//===----------------------------------------------------------------------===//

def Attn_FeatureMapOp : Attn_Op<"feature_map", [Pure]> {
  let summary = "kernel feature map phi";
  let description = [{
    Elementwise `identity`, `relu`, `elu_plus_one` (`elu(x) + 1`) or `exp`;
    or `favor` (Performer FAVOR+, Choromanski et al. 2021) with a projection
    `W` of shape `[m, d]`: `phi(x) = m^{-1/2} exp(W x - |x|^2 / 2)`, turning
    the last dimension `d` into `m`.

    ```mlir
    %fq = attn.feature_map elu_plus_one %q : tensor<1x8x?x64xf32> -> tensor<1x8x?x64xf32>
    %pq = attn.feature_map favor %q, %w
        : tensor<1x8x?x64xf32>, tensor<128x64xf32> -> tensor<1x8x?x128xf32>
    ```
  }];
  let arguments = (ins Attn_FeatureMapKindAttr:$kind, Attn_FloatTensor:$input,
                   Optional<Attn_FloatTensor>:$projection);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    `` $kind $input (`,` $projection^)? attr-dict `:` type(operands) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_ScaleOp : Attn_Op<"scale", [Pure, SameOperandsAndResultType]> {
  let summary = "multiplies by a scalar constant";
  let arguments = (ins Attn_FloatTensor:$input, F64Attr:$factor);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input `by` $factor attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Attn_DivideBySizeOp : Attn_Op<"divide_by_size", [Pure]> {
  let summary = "divides by the size of a dimension of another tensor";
  let description = [{
    `x / size(ref, dim)`: the `1/n` of Galerkin- and Fourier-type attention
    when the sequence length `n` is dynamic.

    ```mlir
    %o = attn.divide_by_size %x, %k {dim = 2 : i64}
        : (tensor<1x4x?x24xf32>, tensor<1x4x?x24xf32>) -> tensor<1x4x?x24xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_FloatTensor:$ref,
                   I64Attr:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $ref attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Attn_RowSumOp : Attn_Op<"row_sum", [Pure]> {
  let summary = "sum along one dimension, kept with size 1";
  let description = [{
    Sums along `dim` (default: the last) and keeps that dimension with size
    1, so that the result broadcasts back (e.g. as the `den` of
    `attn.normalize`).
  }];
  let arguments = (ins Attn_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_CumsumOp : Attn_Op<"cumsum",
                            [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "cumulative sum along one dimension, with optional decay and initial state";
  let description = [{
    Inclusive: `y_t = decay * y_{t-1} + x_t`. Exclusive: `y_0 = y_{-1}`,
    `y_t = decay * y_{t-1} + x_{t-1}`. The carry before the first element,
    `y_{-1}`, is 0, or `init` when given: a tensor shaped like `input` with
    size 1 along `dim` (a recurrent state, e.g. the one a prefill kernel
    takes). `decay` defaults to 1 (a plain prefix sum); RetNet's retention
    uses `0 < decay < 1`; `decay = 0` carries nothing (y_t = x_t), which is
    what a tiny decay raised to a chunk's length becomes. With `decays` and `decays_dim` instead, the decay
    of a line is `decays[i]`, `i` its index along `decays_dim` (one decay per
    head).
  }];
  let arguments = (ins Attn_FloatTensor:$input,
                   Optional<Attn_FloatTensor>:$init, I64Attr:$dim,
                   UnitAttr:$exclusive, OptionalAttr<F64Attr>:$decay,
                   OptionalAttr<DenseF64ArrayAttr>:$decays,
                   OptionalAttr<I64Attr>:$decays_dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`init` $init^)? attr-dict `:` type($input) (`,` type($init)^)?
  }];
  let hasVerifier = 1;
}

def Attn_DepthwiseConv2dOp : Attn_Op<"depthwise_conv2d", [Pure]> {
  let summary = "depthwise 2-D convolution over an image-shaped sequence";
  let description = [{
    `input` is [..., Y, X, C] (a sequence of Y x X positions, e.g. after
    `attn.chunk` of the sequence by the image width); `kernel` is
    [..., KY, KX, C or 1] with odd KY and KX, its leading dimensions
    broadcasting against the input's (one kernel per head: [1, H, KY, KX, 1]).
    Each channel is convolved on its own, centred, with zeros outside the
    image and an output of the input's size:
    `y[.., i, j, c] = sum_{a,b} kernel[.., a, b, c] x[.., i + a - KY/2,
    j + b - KX/2, c]`. AFT-conv's weighted sums are this with
    `exp(w) - 1` as the kernel.
  }];
  let arguments = (ins Attn_FloatTensor:$input, Attn_FloatTensor:$kernel);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $kernel attr-dict `:` type($input) `,` type($kernel) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Attn_LastOp : Attn_Op<"last", [Pure]> {
  let summary = "the last element along one dimension, kept with size 1";
  let description = [{
    `y = x[..., n-1, ...]` along `dim`, which keeps size 1. Applied to an
    inclusive `attn.cumsum` along the sequence it is the recurrent state
    after the last token; the compiled kernel then sums the scan's input
    directly instead of storing every prefix.
  }];
  let arguments = (ins Attn_FloatTensor:$input, I64Attr:$dim);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Attn_UnaryOp<string mnemonic, string formula>
    : Attn_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise " # formula;
  let arguments = (ins Attn_FloatTensor:$input);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Attn_ExpOp : Attn_UnaryOp<"exp", "exp(x)">;
def Attn_SigmoidOp : Attn_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Attn_SiluOp : Attn_UnaryOp<"silu", "x * sigmoid(x)">;
def Attn_ReluOp : Attn_UnaryOp<"relu", "max(x, 0)">;
def Attn_SquareOp : Attn_UnaryOp<"square", "x * x">;
def Attn_NegOp : Attn_UnaryOp<"neg", "-x">;

class Attn_BinaryOp<string mnemonic, string formula>
    : Attn_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # formula # " with size-1 broadcasting";
  let description = [{
    Operands have the same rank; where one has a static size-1 dimension it
    broadcasts along the other's.
  }];
  let arguments = (ins Attn_FloatTensor:$lhs, Attn_FloatTensor:$rhs);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Attn_AddOp : Attn_BinaryOp<"add", "a + b">;
def Attn_SubOp : Attn_BinaryOp<"sub", "a - b">;
def Attn_MulOp : Attn_BinaryOp<"mul", "a * b">;
def Attn_DivOp : Attn_BinaryOp<"div", "a / b">;
def Attn_MaxOp : Attn_BinaryOp<"max", "max(a, b)">;

//===----------------------------------------------------------------------===//
// Size relations
//===----------------------------------------------------------------------===//

// No Pure trait: it has no result, and must not be erased as dead code.
def Attn_AssertSizeOp : Attn_Op<"assert_size"> {
  let summary = "checks at run time that two sizes are equal";
  let description = [{
    `attn.assert_size %a[i] == %b[j]` fails (an error at its location, a
    non-zero return of a generated kernel) unless dimension `i` of `%a` and
    dimension `j` of `%b` have the same size; `attn.assert_size %a[i] == n`
    compares with a constant. The exact rewrites add these when the rewritten
    function would no longer imply a relation among its arguments' sizes that
    the original one did (e.g. the chunked form of causal attention does not
    compare the lengths of k and v): a wrong buffer is then still refused,
    and the message points at the op that required it (the location of the
    assert is that op's location).

    ```mlir
    attn.assert_size %k[2] == %v[2] : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>
    attn.assert_size %x[1] == 64 : tensor<1x?xf32>
    ```
  }];
  let arguments = (ins Attn_FloatTensor:$lhs, I64Attr:$lhs_dim,
                   Optional<Attn_FloatTensor>:$rhs, OptionalAttr<I64Attr>:$rhs_dim,
                   OptionalAttr<I64Attr>:$size);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasCanonicalizeMethod = 1;
}

//===----------------------------------------------------------------------===//
// Composite
//===----------------------------------------------------------------------===//

def Attn_AttentionOp : Attn_Op<"attention", [Pure]> {
  let summary = "attention for authoring: kernel(Q, K) applied to V";
  let description = [{
    `softmax`: `softmax(scale * Q K^T) V`, `scale` defaulting to
    `1/sqrt(d)`; with `causal` the scores with key index > query index are
    hidden (lowest finite value).

    `elu_plus_one`, `relu`: linear attention (Katharopoulos et al. 2020),
    `normalize(phi(Q) phi(K)^T V, phi(Q) phi(K)^T 1, eps = 1e-6)`; with
    `causal` the sums run over keys up to the query index. `scale` is not
    allowed (it would cancel in the normalisation).

    Shapes: `Q [..., Tq, d]`, `K [..., Tk, d]`, `V [..., Tk, dv]`, result
    `[..., Tq, dv]`.
  }];
  let arguments = (ins Attn_AttentionKernelAttr:$kernel,
                   Attn_FloatTensor:$query, Attn_FloatTensor:$key,
                   Attn_FloatTensor:$value, UnitAttr:$causal,
                   OptionalAttr<F64Attr>:$scale);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    `` $kernel $query `,` $key `,` $value (`causal` $causal^)?
    (`scale` $scale^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // ATTN_OPS_TD
