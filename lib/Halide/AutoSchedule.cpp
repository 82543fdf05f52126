//===- AutoSchedule.cpp - Halide's Adams2019 autoscheduler ----------------===//
#include "lib/Halide/AutoSchedule.h"

#include <cstdlib>
#include <mutex>

using namespace attn;
using namespace attn::hl;

namespace {
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// Loads the plugin once; ATTN_ADAMS2019_PLUGIN overrides Debian's path.
bool loadPlugin(std::string &error) {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    const char *env = std::getenv("ATTN_ADAMS2019_PLUGIN");
    std::string path =
        env ? env
            : "/usr/lib/x86_64-linux-gnu/halide14/libautoschedule_adams2019.so";
    try {
      Halide::load_plugin(path);
    } catch (const Halide::Error &e) {
      failure = "cannot load the Adams2019 autoscheduler (" + path +
                "): " + describeHalideError(e);
    }
  });
  error = failure;
  return failure.empty();
}

int64_t estimate(int64_t size, int64_t dynamicEstimate) {
  return size == kDyn ? dynamicEstimate : size;
}
} // namespace

bool attn::hl::applyAdams2019(LoweredFunction &lf, const Halide::Target &target,
                              int64_t dynamicEstimate, int threads,
                              std::string &error) {
  if (!loadPlugin(error))
    return false;
  // Greedy unless the caller asks for a beam: the default beam search took
  // 8 minutes for the benchmark's five kernels on this machine.
  setenv("HL_BEAM_SIZE", "1", /*overwrite=*/0);
  // The autoscheduler needs the size of every input and output.
  for (size_t i = 0; i < lf.params.size(); ++i)
    for (size_t d = 0; d < lf.paramShapes[i].size(); ++d) {
      int64_t size = lf.paramShapes[i][lf.paramShapes[i].size() - 1 - d];
      lf.params[i].dim(d).set_estimate(0, (int)estimate(size, dynamicEstimate));
    }
  for (Halide::Func &out : lf.outputs) {
    for (const Stage &stage : lf.stages) {
      if (stage.func.name() != out.name())
        continue;
      Halide::Region region;
      for (auto it = stage.shape.rbegin(); it != stage.shape.rend(); ++it)
        region.push_back({0, (int)estimate(*it, dynamicEstimate)});
      out.set_estimates(region);
    }
  }
  lf.pipeline(target).auto_schedule(
      "Adams2019", target,
      Halide::MachineParams(threads, 16 * 1024 * 1024, 40));
  return true;
}
