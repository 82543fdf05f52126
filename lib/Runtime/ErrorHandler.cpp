//===- ErrorHandler.cpp - errors of generated kernels as return codes -----===//
//
// Halide's default handler prints and calls abort(). Ours keeps the message
// per thread and returns, so the kernel returns its error code.
//
//===----------------------------------------------------------------------===//
#include "attn_runtime.h"

#include "HalideRuntime.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
thread_local char lastError[4096];

void keepError(void *, const char *msg) {
  std::strncpy(lastError, msg, sizeof(lastError) - 1);
  lastError[sizeof(lastError) - 1] = '\0';
  if (std::getenv("ATTN_PRINT_ERRORS"))
    std::fprintf(stderr, "attn kernel error: %s\n", msg);
}
} // namespace

void attnInstallBlockCache(); // BlockCache.cpp

#ifdef ATTN_RUNTIME_CUDA
/// GPU kernels: device buffers are kept for the next call (cuMemAlloc per
/// call costs more than small kernels), and the PTX JIT may give a thread
/// up to 128 registers instead of Halide's default cap of 64 (an
/// HL_CUDA_JIT_MAX_REGISTERS already set wins).
static void configureCuda() {
  halide_reuse_device_allocations(nullptr, true);
  setenv("HL_CUDA_JIT_MAX_REGISTERS", "128", /*overwrite=*/0);
}
#else
static void configureCuda() {}
#endif

extern "C" int attn_runtime_init(void) {
  static const int once = (halide_set_error_handler(keepError),
                           attnInstallBlockCache(), configureCuda(), 1);
  return once;
}

extern "C" const char *attn_last_error(void) { return lastError; }

extern "C" void attn_clear_error(void) { lastError[0] = '\0'; }
