//===- Tensor.h - dense host tensor of the reference interpreter -*- C++ -*-===//
//
// Values are held in double whatever the element type: the interpreter is
// the oracle of every numerical test, and accumulating in double keeps its
// own rounding far below the fp32 tolerances it checks.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_REFERENCE_TENSOR_H
#define ATTN_REFERENCE_TENSOR_H

#include "dialect/ShapeRules.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace attn {

enum class ElementKind { f32, f64 };

struct Tensor {
  Shape shape;
  ElementKind kind = ElementKind::f32;
  std::vector<double> data;

  Tensor() = default;
  Tensor(Shape s, ElementKind k) : shape(std::move(s)), kind(k) {
    data.assign(numElements(shape), 0.0);
  }

  /// The number of elements of `shape`; nullopt when a size is negative
  /// or the product overflows int64. Check it before making a Tensor of a
  /// shape that came from outside (a file, a command line, a type).
  static std::optional<int64_t> countElements(llvm::ArrayRef<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      if (d < 0 || __builtin_mul_overflow(n, d, &n))
        return std::nullopt;
    return n;
  }
  /// countElements of a shape known to be valid (INT64_MAX if it is not).
  static int64_t numElements(llvm::ArrayRef<int64_t> shape) {
    return countElements(shape).value_or(INT64_MAX);
  }
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Row-major strides, in elements.
  Shape strides() const {
    Shape s(shape.size(), 1);
    for (int64_t i = rank() - 2; i >= 0; --i)
      s[i] = s[i + 1] * shape[i + 1];
    return s;
  }
};

} // namespace attn

#endif // ATTN_REFERENCE_TENSOR_H
