//===- AutoSchedule.h - Halide's Adams2019 autoscheduler, as an option ---*- C++
//-*-===//
//
// For comparison with the hand schedules (Schedule.h): the pipeline of a
// lowered function scheduled by Halide 14's Adams2019 autoscheduler (its
// plugin from Debian's libhalide14-0-dev), every dynamic size estimated as
// `dynamicEstimate`.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_HALIDE_AUTOSCHEDULE_H
#define ATTN_HALIDE_AUTOSCHEDULE_H

#include "lib/Halide/Lowering.h"

#include <string>

namespace attn::hl {

/// False, with `error`, when the plugin cannot be loaded.
bool applyAdams2019(LoweredFunction &lf, const Halide::Target &target,
                    int64_t dynamicEstimate, int threads, std::string &error);

} // namespace attn::hl

#endif // ATTN_HALIDE_AUTOSCHEDULE_H
