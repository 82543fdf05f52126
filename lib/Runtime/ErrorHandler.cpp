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

/// Halide's requirement messages read "Requirement Failed: (false) attn:
/// ... (got  107  vs  100 )\n": the condition, the spaces its printer puts
/// around values and the newline are dropped.
void tidy(const char *msg, char *out, size_t size) {
  const char *prefix = "Requirement Failed: (";
  if (std::strncmp(msg, prefix, std::strlen(prefix)) == 0) {
    int depth = 1;
    const char *p = msg + std::strlen(prefix);
    for (; *p && depth > 0; ++p)
      depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
    msg = *p == ' ' ? p + 1 : p;
  }
  size_t n = 0;
  for (const char *p = msg; *p && n + 1 < size; ++p) {
    bool space = *p == ' ' || *p == '\n';
    if (space && (n == 0 || out[n - 1] == ' ' || p[1] == ')' || p[1] == '\0'))
      continue;
    out[n++] = space ? ' ' : *p;
  }
  out[n] = '\0';
}

void keepError(void *, const char *msg) {
  tidy(msg, lastError, sizeof(lastError));
  if (std::getenv("ATTN_PRINT_ERRORS"))
    std::fprintf(stderr, "attn kernel error: %s\n", lastError);
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
