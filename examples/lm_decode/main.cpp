//===- main.cpp - prefill a prompt, then decode token by token ------------===//
//
// Uses three kernels compiled from one model: @attention (the whole
// sequence), @attention_prefill (a prompt, states in and out) and
// @attention_step (one token). Prints tokens/s for prefill and decode and
// fails when prefill + steps disagree with the whole sequence.
//
// usage: lm_decode_app [prompt = 2048] [new tokens = 256]
//
//===----------------------------------------------------------------------===//
#include "lm_decode_kernels.h"

#include "HalideBuffer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

using Halide::Runtime::Buffer;

namespace {
constexpr int H = 8, D = 64;

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

bool check(int rc, const char *what) {
  if (rc != 0)
    std::printf("%s failed (%d): %s\n", what, rc, attn_last_error());
  return rc == 0;
}
} // namespace

int main(int argc, char **argv) {
  int prompt = argc > 1 ? std::atoi(argv[1]) : 2048;
  int steps = argc > 2 ? std::atoi(argv[2]) : 256;
  if (prompt < 1 || steps < 1) {
    std::fprintf(stderr, "usage: %s [prompt >= 1] [new tokens >= 1]\n", argv[0]);
    return 2;
  }
  int total = prompt + steps;
  // q, k, v of every position, as a model's projections would give them.
  Buffer<float> q(D, total, H, 1), k(D, total, H, 1), v(D, total, H, 1);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (Buffer<float> *b : {&q, &k, &v})
    b->for_each_value([&](float &x) { x = uniform(rng); });

  Buffer<float> s(D, D, H, 1), z(D, 1, H, 1); // running sums, start at 0
  s.fill(0);
  z.fill(0);
  Buffer<float> s2(D, D, H, 1), z2(D, 1, H, 1);
  Buffer<float> decoded(D, total, H, 1);

  // Prefill: the prompt's outputs and the states after it.
  Buffer<float> pq = q.cropped(1, 0, prompt), pk = k.cropped(1, 0, prompt),
                pv = v.cropped(1, 0, prompt);
  Buffer<float> pout = decoded.cropped(1, 0, prompt);
  for (Buffer<float> *b : {&pq, &pk, &pv, &pout})
    b->translate(1, -b->dim(1).min()); // kernels expect min 0
  // Timed on a second call: the first one also pays for fresh pages.
  if (!check(attention_prefill(pq, pk, pv, s, z, pout, s2, z2), "prefill"))
    return 1;
  auto t0 = std::chrono::steady_clock::now();
  if (!check(attention_prefill(pq, pk, pv, s, z, pout, s2, z2), "prefill"))
    return 1;
  double prefillSeconds = seconds(t0);

  // Decode: one token at a time, states in, states out.
  t0 = std::chrono::steady_clock::now();
  for (int t = prompt; t < total; ++t) {
    std::swap(s, s2);
    std::swap(z, z2);
    Buffer<float> tq = q.cropped(1, t, 1), tk = k.cropped(1, t, 1),
                  tv = v.cropped(1, t, 1), tout = decoded.cropped(1, t, 1);
    for (Buffer<float> *b : {&tq, &tk, &tv, &tout})
      b->translate(1, -t);
    if (!check(attention_step(tq, tk, tv, s, z, tout, s2, z2), "step"))
      return 1;
  }
  double decodeSeconds = seconds(t0);

  // The whole sequence at once must give the same outputs.
  Buffer<float> whole(D, total, H, 1);
  if (!check(attention(q, k, v, whole), "whole sequence"))
    return 1;
  t0 = std::chrono::steady_clock::now();
  if (!check(attention(q, k, v, whole), "whole sequence"))
    return 1;
  double wholeSeconds = seconds(t0);
  double err = 0, mag = 0;
  whole.for_each_element([&](int d, int t, int h, int b) {
    err = std::max(err, double(std::fabs(whole(d, t, h, b) - decoded(d, t, h, b))));
    mag = std::max(mag, double(std::fabs(whole(d, t, h, b))));
  });
  std::printf("prefill %d tokens: %.2f ms (%.0f tokens/s)\n", prompt,
              prefillSeconds * 1e3, prompt / prefillSeconds);
  std::printf("decode %d tokens: %.3f ms per token (%.0f tokens/s)\n", steps,
              decodeSeconds * 1e3 / steps, steps / decodeSeconds);
  std::printf("whole sequence of %d at once: %.2f ms\n", total,
              wholeSeconds * 1e3);
  std::printf("prefill + decode vs whole sequence: rel error %.2e %s\n",
              err / mag, err / mag <= 1e-5 ? "ok" : "FAIL");
  return err / mag <= 1e-5 ? 0 : 1;
}
