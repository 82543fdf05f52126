//===- EntryChecks.h - the checked entry of a generated kernel ---*- C++ -*-===//
//
// Each exported kernel is an entry that hands its buffers and a contract
// (lib/Runtime/CallContract.h) to attn_check_call() in the runtime, then
// calls the Halide pipeline, which stays internal. The contract comes from
// the function's types and the relations among its sizes (SymbolicShapes),
// so a wrong buffer is named in the model's terms before Halide reads it.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_HALIDE_ENTRYCHECKS_H
#define ATTN_HALIDE_ENTRYCHECKS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "Halide.h"

#include <string>
#include <vector>

namespace attn::hl {

/// The contract of `func` exported as `exported`, whose outputs are named
/// `outputs` (the names of the output buffers in its C signature).
std::string buildCallContract(mlir::func::FuncOp func,
                              const std::string &exported,
                              const std::vector<std::string> &outputs);

/// Makes the function `name` of `module` internal (as `name`_unchecked) and
/// adds `name`: checks its buffers against `contract`, then calls it, or
/// `emptyVariant` (a function of `module` with the same arguments, made
/// internal too) when a buffer holds no elements.
void addCheckedEntry(Halide::Module &module, const std::string &name,
                     const std::string &contract,
                     const std::string &emptyVariant = "");

} // namespace attn::hl

#endif // ATTN_HALIDE_ENTRYCHECKS_H
