//===- Npy.h - NumPy .npy files ----------------------------------*- C++ -*-===//
#ifndef ATTN_REFERENCE_NPY_H
#define ATTN_REFERENCE_NPY_H

#include "lib/Reference/Tensor.h"

#include <string>

namespace attn {

/// Reads a little-endian, C-ordered float32 or float64 .npy file. Returns
/// false with a message naming the file and the problem otherwise.
bool readNpy(const std::string &path, Tensor &out, std::string &error);

/// Writes `t` as .npy in its element kind (float32 values are rounded).
bool writeNpy(const std::string &path, const Tensor &t, std::string &error);

} // namespace attn

#endif // ATTN_REFERENCE_NPY_H
