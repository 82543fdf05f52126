//===- CallContract.h - checking a kernel's buffers before it runs -*- C++ -*-===//
//
// attn-compile gives every exported kernel an entry that first hands its
// buffers to attn_check_call() with a contract: the text below, written by
// lib/Halide/CallContract.cpp from the function's types and the relations
// its ops imply among their sizes (SymbolicShapes). The check names the
// user's buffers and dimensions in the model's (MLIR's) order, says what
// was expected, and refuses what Halide would crash on or silently get
// wrong: a NULL dim array, an output that overlaps another buffer.
//
// Contract text, one item a line:
//   F <function>
//   B <i|o> <name> <f32|f64> <rank> <size>... <type text>
//   L <index> <text>            a location that requires a relation
// where each <size> (outermost dimension first) is
//   64            a static size
//   ?             free: this dimension is the first of its class
//   =<expr>[@L]   equal to <expr>: a<i>.<d> (dimension d of buffer i) or
//                 ceil(<expr>/<n>); L indexes the location that requires it
//   *             not checked here
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_CALLCONTRACT_H
#define ATTN_RUNTIME_CALLCONTRACT_H

#include "HalideRuntime.h"

#include <string>

namespace attn_runtime {

/// 0 when `buffers` (the kernel's inputs, then outputs, as in its C
/// signature) fit `contract`, 1 when they do and one holds no elements (an
/// empty sequence: the kernel then runs its variant for empty extents);
/// otherwise a (negative) Halide error code, with the reason in `message`.
///
/// Buffers in bounds-query mode (host and device both null) are not
/// checked, so that Halide can fill in their shapes; but a buffer with no
/// elements whose shape fits its type is an empty tensor, not a query: it
/// gets a placeholder host pointer (never dereferenced).
int checkCall(const char *contract, halide_buffer_t *const *buffers,
              std::string &message);

} // namespace attn_runtime

#endif // ATTN_RUNTIME_CALLCONTRACT_H
