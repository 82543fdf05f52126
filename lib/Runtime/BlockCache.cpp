//===- BlockCache.cpp - reuse of large kernel intermediates ---------------===//
//
// A kernel called in a loop allocates the same intermediates on every call.
// Large blocks from malloc are fresh mmap'd pages each time, and touching
// them costs a page fault per 4 KiB (measured here: more than the arithmetic
// of a linear attention at T = 16k). Freed blocks of at least kMinCached
// bytes are kept (up to kMaxCached in all) and handed out again for requests
// of the same size up to twice smaller.
//
//===----------------------------------------------------------------------===//
#include "attn_runtime.h"

#include "HalideRuntime.h"

#include <cstdlib>
#include <map>
#include <mutex>

namespace {
constexpr size_t kAlign = 64;           // AVX-512 loads and stores
constexpr size_t kMinCached = 256 << 10;
constexpr size_t kMaxCached = size_t(1) << 30;

struct Header {
  void *base;      ///< what aligned_alloc returned
  size_t capacity; ///< usable bytes after the header
};

std::mutex mutex;
/// By capacity. Never destroyed: a kernel may free into it from another
/// thread while the program exits, and the blocks it keeps stay reachable
/// (not leaks) until then.
std::multimap<size_t, Header> &cached = *new std::multimap<size_t, Header>;
size_t cachedBytes = 0;

Header *headerOf(void *p) {
  return reinterpret_cast<Header *>(static_cast<char *>(p) - kAlign);
}

void *fresh(size_t size) {
  // Halide may read a few bytes past either end: pad both sides.
  size_t capacity = (size + kAlign - 1) / kAlign * kAlign;
  void *base = std::aligned_alloc(kAlign, capacity + 2 * kAlign);
  if (!base)
    return nullptr;
  void *p = static_cast<char *>(base) + kAlign;
  *headerOf(p) = {base, capacity};
  return p;
}

void *cachedMalloc(void *, size_t size) {
  if (size >= kMinCached) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cached.lower_bound(size);
    if (it != cached.end() && it->first <= 2 * size) {
      Header h = it->second;
      cached.erase(it);
      cachedBytes -= h.capacity;
      void *p = static_cast<char *>(h.base) + kAlign;
      *headerOf(p) = h;
      return p;
    }
  }
  return fresh(size);
}

void cachedFree(void *, void *p) {
  if (!p)
    return;
  Header h = *headerOf(p);
  if (h.capacity >= kMinCached) {
    std::lock_guard<std::mutex> lock(mutex);
    if (cachedBytes + h.capacity <= kMaxCached) {
      cached.emplace(h.capacity, h);
      cachedBytes += h.capacity;
      return;
    }
  }
  std::free(h.base);
}
} // namespace

void attnInstallBlockCache() {
  halide_set_custom_malloc(cachedMalloc);
  halide_set_custom_free(cachedFree);
}

extern "C" void attn_release_cached_memory(void) {
  std::lock_guard<std::mutex> lock(mutex);
  for (auto &entry : cached)
    std::free(entry.second.base);
  cached.clear();
  cachedBytes = 0;
}
