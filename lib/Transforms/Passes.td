//===- Passes.td - attn rewrites ---------------------------*- tablegen -*-===//
#ifndef ATTN_TRANSFORMS_PASSES_TD
#define ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnDecompose : Pass<"attn-decompose", "::mlir::func::FuncOp"> {
  let summary = "Expand attn.attention into primitive attn ops";
  let description = [{
    softmax: `matmul(q, k^T)`, `scale` (the op's, or 1/sqrt(d)), a
    `causal_mask fill lowest` when causal, `softmax`, `matmul(., v)`.
    elu_plus_one / relu: `feature_map` on q and k, `matmul(phi(q), phi(k)^T)`,
    a `causal_mask fill zero` when causal, then
    `normalize(matmul(s, v), row_sum(s), eps = 1e-6)`. The quadratic forms
    are exact; attn-reassociate and attn-causal-to-cumsum make them linear.
    A softmax attention with a dynamic head size and no explicit scale is
    left as it is (its 1/sqrt(d) is not a constant).
  }];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "emit a remark at every site: what was expanded, or why not">
  ];
  let dependentDialects = ["::attn::AttnDialect"];
}

def AttnReassociate : Pass<"attn-reassociate", "::mlir::func::FuncOp"> {
  let summary = "(A B^T) C -> A (B^T C) where it is cheaper";
  let description = [{
    For a product `S = op(A) op(B)` whose every use is linear in S (a
    matmul with S on the left, a row_sum over the last dimension), possibly
    through row scalings (`scale`, `normalize` by a per-row denominator),
    rewrites each use without forming S:
      `S C -> op(A) (op(B) C)`, `row_sum(S) -> op(A) (op(B) 1)`,
    re-applying the row scalings to the results, so that
    `normalize(A B^T) C = A (B^T C) / (A (B^T 1))`. It fires only when the
    cost model (FLOPs, then bytes of the intermediate) says cheaper. A
    dynamic size in the cost is replaced by `assume-seq-len`; with the
    default 0 such sites are declined, never guessed.
  }];
  let options = [
    Option<"assumeSeqLen", "assume-seq-len", "int64_t", /*default=*/"0",
           "size assumed for dynamic dimensions in the cost model (default "
           "0: decline sites whose cost depends on a dynamic size)">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "emit a remark at every site looked at: the costs before and "
           "after when it fires, the reason when it declines">
  ];
  let dependentDialects = ["::attn::AttnDialect"];
}

def AttnRemoveSoftmax : Pass<"attn-remove-softmax", "::mlir::func::FuncOp"> {
  let summary = "Replace softmax(s Q K^T) by a kernel attention (changes the model)";
  let description = [{
    Finds `softmax(s Q K^T)` (a positive `scale` and a `causal_mask fill
    lowest` may sit between; a composite `attn.attention softmax` is
    expanded first) and replaces it by the chosen kernel:

    - `elu_plus_one`, `relu` (Katharopoulos et al. 2020): the weights
      become `normalize(phi(Q) phi(K)^T, row_sum(.), eps = 1e-6)`, causally
      masked (fill zero) when the softmax was; `s` cancels.
    - `favor` (Choromanski et al. 2021): `phi(x) = m^{-1/2} exp(W x -
      |x|^2/2)` on `sqrt(s) Q` and `sqrt(s) K` (so `s = 1/sqrt(d)` is the
      paper's `d^{-1/4}` pre-scaling), with `W` `features` x d positive
      orthogonal random features drawn from `seed`, then normalised as above.
    - `fourier` (Cao 2021): `LN(Q) LN(K)^T / n`, no normaliser.
    - `galerkin` (Cao 2021): `Q LN(K)^T / n` applied to `LN(V)`; needs the
      softmax's only use to be `matmul(., V)`.

    `n` is the key length (`attn.divide_by_size` when dynamic). Layer norms have no affine parameters
    (eps 1e-5). The model changes, so the pass runs only when asked and
    emits a remark at every site it changed.
  }];
  let options = [
    Option<"kernel", "kernel", "std::string", /*default=*/"\"\"",
           "the replacement: elu_plus_one, relu, favor, galerkin or fourier "
           "(required)">,
    Option<"features", "features", "int64_t", /*default=*/"0",
           "favor: the number m of random features (default 0: m = d)">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0",
           "favor: seed of the orthogonal random projection">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "also say why a softmax was left alone">
  ];
  let dependentDialects = ["::attn::AttnDialect", "::mlir::arith::ArithDialect"];
}

def AttnCausalToCumsum : Pass<"attn-causal-to-cumsum", "::mlir::func::FuncOp"> {
  let summary = "Causally masked softmax-free attention -> cumulative sums";
  let description = [{
    For `M = causal_mask(A B^T, fill zero)` whose uses are linear in M
    (through row scalings, as in attn-reassociate), rewrites
      `matmul(M, V)`  ->  row t: `a_t^T sum_{s<=t} b_s v_s^T`
                          (`cumsum` over T of per-position outer products)
      `row_sum(M)`    ->  row t: `a_t . sum_{s<=t} b_s`
    Exact. The numerator holds a [.., T, d, e] running state; attn-chunk
    turns it into the chunked form that does not.
  }];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "emit a remark at every masked product: rewritten, or why not">
  ];
  let dependentDialects = ["::attn::AttnDialect"];
}

def AttnChunk : Pass<"attn-chunk", "::mlir::func::FuncOp"> {
  let summary = "Cumulative-sum attention -> chunked form";
  let description = [{
    Rewrites the forms attn-causal-to-cumsum produces:
      numerator `a_t^T cumsum_T(b v^T)`, denominator `a_t . cumsum_T(b)`
    into chunks of `size` positions (`attn.chunk`, zero-padded tail): inside
    a chunk the masked C x C product, across chunks an exclusive prefix over
    per-chunk d x e states; `attn.unchunk` drops the padding. A scan with a
    decay g (RetNet's retention) keeps it exact with g^(i-j) inside a chunk,
    g^(C-1-j) on the state rows, g^(i+1) on the query rows and g^C between
    chunks. Exact, and no T x d x e tensor remains.
  }];
  let options = [
    Option<"size", "size", "int64_t", /*default=*/"64",
           "chunk length C (> 0); a length not divisible by C gets a "
           "zero-padded tail chunk">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "emit a remark at every cumulative sum looked at">
  ];
  let dependentDialects = ["::attn::AttnDialect"];
}

def AttnDeriveDecode : Pass<"attn-derive-decode", "::mlir::ModuleOp"> {
  let summary = "Prefill and single-token step functions from a causal model";
  let description = [{
    For each function @f with causal softmax-free attention or a recurrence
    (`causal_mask(A B^T, zero)` used through `matmul(., V)` and
    `row_sum(.)`), adds
      @f_prefill(args..., states...) -> (results..., states...)
      @f_step(args with sequence length 1..., states...) -> (same)
    where each state is the running sum the attention carries: `S = sum
    b_s v_s^T` ([.., d, e]) per matmul use and `z = sum b_s` ([.., 1, d])
    per row sum, taken in and returned updated. An inclusive `attn.cumsum`
    along a dynamic length (RetNet's decayed retention, or a model already
    rewritten by attn-causal-to-cumsum) carries its own state: the scan
    starts from it (`init`) and its `attn.last` element is returned. Prefill
    of a prompt followed by steps equals the whole sequence. The sequence
    dimension is the second to last one of @f's arguments. Composite
    `attn.attention` ops are expanded in the prefill (@f is left as it is).
    A function whose positions mix along the sequence in a way no state
    carries (already chunked: run this pass before attn-chunk or
    attn-linearize; a sum over the whole sequence; causal softmax, whose
    decode needs a cache of keys and values) is refused with an error at
    that op. Functions that have decode functions, or are one (marked
    `attn.decode_of`), are left alone. Run attn-linearize afterwards for the
    chunked prefill.
  }];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "say why a function gets no decode functions">
  ];
  let dependentDialects = ["::attn::AttnDialect"];
}

#endif // ATTN_TRANSFORMS_PASSES_TD
