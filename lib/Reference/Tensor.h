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

  static int64_t numElements(llvm::ArrayRef<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
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
