/*===- attn_runtime.h - what programs linking attn kernels call -*- C -*-===*/
#ifndef ATTN_RUNTIME_H
#define ATTN_RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Installs attn's Halide error handler (a failing kernel then returns its
 * error code and keeps the message instead of aborting the process) and its
 * allocator (large intermediates are kept for the next call instead of
 * being returned to the system). C++ programs that include this header get
 * it at static initialisation; C programs call it once before the first
 * kernel. Returns 1. */
int attn_runtime_init(void);

/* The message of the last kernel error on this thread ("" if none). */
const char *attn_last_error(void);

/* Forgets the last message of this thread. */
void attn_clear_error(void);

/* Returns the intermediate blocks kept for reuse (at most 1 GiB) to the
 * system, e.g. after the last kernel call of a phase. */
void attn_release_cached_memory(void);

#ifdef __cplusplus
} /* extern "C" */
namespace attn_runtime_detail {
static const int installed = attn_runtime_init();
}
#endif

#endif /* ATTN_RUNTIME_H */
