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

/* Called by every generated kernel before it computes: checks its buffers
 * against the kernel's contract (types, ranks, sizes and how they relate,
 * outputs that overlap other buffers) and reports a mismatch through the
 * error handler. Returns 0, 1 (fine, and some buffer is empty) or a
 * negative Halide error code. Not for direct use. */
struct halide_buffer_t;
int attn_check_call(const char *contract, struct halide_buffer_t **buffers);

#ifdef __cplusplus
} /* extern "C" */
namespace attn_runtime_detail {
static const int installed = attn_runtime_init();
}
#endif

#endif /* ATTN_RUNTIME_H */
