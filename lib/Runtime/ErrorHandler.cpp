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

extern "C" int attn_runtime_init(void) {
  static const int once =
      (halide_set_error_handler(keepError), attnInstallBlockCache(), 1);
  return once;
}

extern "C" const char *attn_last_error(void) { return lastError; }

extern "C" void attn_clear_error(void) { lastError[0] = '\0'; }
