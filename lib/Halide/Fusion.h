//===- Fusion.h - which stages a product can be computed inside --*- C++
//-*-===//
//
// A product's copy read by exactly one pointwise stage of its shape (the
// normalisation of linear attention, a sum of two chunk terms) need not
// reach memory: the schedules compute the product per register tile inside
// that consumer.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_HALIDE_FUSION_H
#define ATTN_HALIDE_FUSION_H

#include "lib/Halide/Lowering.h"

#include <map>

namespace attn::hl {

/// For each product stage of `lf`, its one pointwise consumer of the same
/// shape, or null. Call before any schedule: rfactor rewrites definitions.
std::map<const Stage *, const Stage *>
findProductConsumers(const LoweredFunction &lf);

} // namespace attn::hl

#endif // ATTN_HALIDE_FUSION_H
