//===- main.cpp - attn kernels vs OpenBLAS + loops vs the machine's peak --===//
//
// For each kernel of bench/models.mlir and each T: median time of the
// attn-compiled kernel and of the OpenBLAS + loops baseline (same process,
// same inputs), GFLOP/s, % of the sgemm peak, speedup, peak RSS, and the
// relative difference of the two outputs. The peak is an OpenBLAS sgemm,
// measured with the core type this process got and, in a child process,
// with the other setting of OPENBLAS_CORETYPE (Haswell or auto-detected).
//
// usage: attn_bench [--max-t N] [--kernels a,b] [--csv FILE] [--peak-only]
//                   [--attn-only (no baseline, no peak: for profiling)]
//
//===----------------------------------------------------------------------===//
#include "BlasBaselines.h"
#include "bench_kernels.h"
#ifdef ATTN_BENCH_ADAMS2019
#include "bench_adams_kernels.h"
#endif

#include "HalideBuffer.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using Halide::Runtime::Buffer;

namespace {
constexpr int kHeads = 8, kDim = 64, kChunk = 64;

/// Median milliseconds of `call`: at least 3 runs after a warm-up, more
/// while the total stays under 2 s (at most 10).
double medianMs(const std::function<void()> &call) {
  call();
  std::vector<double> ms;
  double total = 0;
  while (ms.size() < 3 || (ms.size() < 10 && total < 2000)) {
    auto t0 = std::chrono::steady_clock::now();
    call();
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
    total += ms.back();
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

/// Resets the peak resident set size to the current one (Linux >= 4.0).
void resetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

/// Peak resident set size since the last reset, in MiB.
double peakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::atof(line.c_str() + 6) / 1024.0;
  return 0;
}

double sgemmPeakGflops() {
  const int n = 3072;
  std::vector<float> a((size_t)n * n, 1.0f), b((size_t)n * n, 0.5f),
      c((size_t)n * n);
  double ms = medianMs([&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                a.data(), n, b.data(), n, 0.0f, c.data(), n);
  });
  return 2.0 * n * n * n / (ms * 1e6);
}

/// The peak with OPENBLAS_CORETYPE flipped (unset if set, Haswell if not),
/// from a child process: OpenBLAS reads it once, when loaded.
std::string otherPeak(const char *self) {
  const char *set = std::getenv("OPENBLAS_CORETYPE");
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e)
    if (std::strncmp(*e, "OPENBLAS_CORETYPE=", 18) != 0)
      env.push_back(*e);
  if (!set)
    env.push_back("OPENBLAS_CORETYPE=Haswell");
  std::vector<char *> envp;
  for (std::string &e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string out = "/tmp/attn_bench_peak." + std::to_string(getpid());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char *argv[] = {self, "--peak-only", nullptr};
  pid_t pid;
  int status = 0;
  if (posix_spawn(&pid, self, &actions, nullptr, const_cast<char **>(argv),
                  envp.data()) != 0 ||
      waitpid(pid, &status, 0) < 0 || status != 0)
    return "(child failed)";
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  std::remove(out.c_str());
  return line;
}

/// FLOPs of the algorithm each kernel runs (the linear forms as rewritten;
/// the causal one counts the useful half of its masked chunk products).
double flops(const std::string &kernel, double t) {
  double h = kHeads, d = kDim;
  if (kernel == "softmax")
    return 4 * t * t * d * h;
  if (kernel == "linear" || kernel == "galerkin")
    return 4 * t * d * d * h;
  if (kernel == "linear_causal")
    return 4 * t * d * d * h + 2 * t * kChunk * d * h;
  return 4 * t * d * h; // aft_simple: exp, products and sums per element
}

using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                       halide_buffer_t *);

#ifdef ATTN_BENCH_ADAMS2019
#define ADAMS(f) f
#else
#define ADAMS(f) nullptr
#endif

/// The benchmark's kernels: attn's, and Adams2019's schedule of the same
/// graph where it was built (see bench/CMakeLists.txt for the others).
struct BenchKernel {
  const char *name;
  Kernel attn, adams;
};
const BenchKernel kKernels[] = {
    {"softmax", bench_softmax, nullptr},
    {"linear", bench_linear, ADAMS(bench_adams_linear)},
    {"linear_causal", bench_linear_causal, nullptr},
    {"galerkin", bench_galerkin, ADAMS(bench_adams_galerkin)},
    {"aft_simple", bench_aft_simple, ADAMS(bench_adams_aft_simple)}};

const BenchKernel *findKernel(const std::string &name) {
  for (const BenchKernel &k : kKernels)
    if (name == k.name)
      return &k;
  return nullptr;
}

/// Median time and peak RSS of `call`, from an empty block cache and no
/// baseline scratch.
struct Measurement {
  double ms = 0, rssMiB = 0;
};
Measurement measure(const std::function<void()> &call) {
  // What earlier kernels kept or freed is not this one's.
  attn_release_cached_memory();
  blas::releaseScratch();
  malloc_trim(0);
  resetPeakRss();
  Measurement m;
  m.ms = medianMs(call);
  m.rssMiB = peakRssMiB();
  return m;
}

/// max |a - b| / max |b|.
double relDiff(const Buffer<float> &a, const Buffer<float> &b) {
  double diff = 0, mag = 0;
  for (size_t i = 0; i < a.number_of_elements(); ++i) {
    diff = std::max(diff, (double)std::fabs(a.data()[i] - b.data()[i]));
    mag = std::max(mag, (double)std::fabs(b.data()[i]));
  }
  return diff / mag;
}

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ','))
    parts.push_back(part);
  return parts;
}
} // namespace

int main(int argc, char **argv) {
  int maxT = 65536;
  bool attnOnly = false;
  std::string csvPath = "bench.csv";
  std::vector<std::string> kernels;
  for (const BenchKernel &k : kKernels)
    kernels.push_back(k.name);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--peak-only") {
      std::printf("%s %.1f\n", openblas_get_corename(), sgemmPeakGflops());
      return 0;
    }
    if (a == "--attn-only")
      attnOnly = true;
    else if (a == "--max-t" && i + 1 < argc)
      maxT = std::atoi(argv[++i]);
    else if (a == "--csv" && i + 1 < argc)
      csvPath = argv[++i];
    else if (a == "--kernels" && i + 1 < argc)
      kernels = split(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: %s [--max-t N] [--kernels a,b] [--csv FILE] "
                   "[--peak-only] [--attn-only]\n",
                   argv[0]);
      return 2;
    }
  }
  for (const std::string &k : kernels)
    if (!findKernel(k)) {
      std::fprintf(stderr, "unknown kernel '%s'\n", k.c_str());
      return 2;
    }
  openblas_set_num_threads(2);

  double peak = attnOnly ? 1.0 : sgemmPeakGflops();
  std::string mine = std::string(openblas_get_corename()) + " " +
                     std::to_string(peak).substr(0, 6);
  std::string other = attnOnly ? "- 1" : otherPeak(argv[0]);
  const char *env = std::getenv("OPENBLAS_CORETYPE");
  std::printf("sgemm peak, 2 threads: %s GFLOP/s (OPENBLAS_CORETYPE=%s); "
              "%s GFLOP/s (OPENBLAS_CORETYPE %s)\n",
              mine.c_str(), env ? env : "unset", other.c_str(),
              env ? "unset" : "=Haswell");
  double otherGflops = std::atof(other.substr(other.find(' ') + 1).c_str());
  double best = std::max(peak, otherGflops);
  std::printf("%% of peak below is against %.1f GFLOP/s, the better one\n\n",
              best);

  std::ofstream csv(csvPath);
  csv << "kernel,T,impl,ms,gflops,pct_peak,peak_rss_mib,io_mib,rel_diff\n";
  std::printf("%-14s %6s | %10s %8s %6s %8s | %10s %8s | %7s | %9s | %s\n",
              "kernel", "T", "attn ms", "GFLOP/s", "%peak", "RSS MiB",
              "blas ms", "RSS MiB", "speedup", "rel diff", "adams2019 ms");
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1, 1);
  for (const std::string &kernel : kernels) {
    for (int t = 1024; t <= maxT; t *= 4) {
      if (kernel == "softmax" && t > 16384)
        continue;
      Buffer<float> q(kDim, t, kHeads, 1), k(kDim, t, kHeads, 1),
          v(kDim, t, kHeads, 1), o(kDim, t, kHeads, 1), ob(kDim, t, kHeads, 1);
      for (Buffer<float> *b : {&q, &k, &v})
        b->for_each_value([&](float &x) { x = uniform(rng); });
      double io = 4.0 * q.size_in_bytes() / (1024.0 * 1024.0);
      const BenchKernel &bk = *findKernel(kernel);
      auto run = [&](Kernel f, Buffer<float> &out, const char *which) {
        int rc = 0;
        Measurement m = measure([&] { rc |= f(q, k, v, out); });
        if (rc != 0) {
          std::fprintf(stderr, "%s T=%d (%s) failed: %s\n", kernel.c_str(), t,
                       which, attn_last_error());
          std::exit(1);
        }
        return m;
      };
      Measurement attn = run(bk.attn, o, "attn");
      Measurement blasRun;
      if (attnOnly)
        ob.copy_from(o);
      else
        blasRun = measure([&] {
          blas::run(kernel, {kHeads, t, kDim}, q.data(), k.data(), v.data(),
                    ob.data());
        });
      // Adams2019's schedule of the same kernel, where there is one.
      Measurement adams;
      double adamsRel = 0;
      if (bk.adams) {
        Buffer<float> oa(kDim, t, kHeads, 1);
        adams = run(bk.adams, oa, "adams2019");
        adamsRel = relDiff(oa, ob);
      }
      double rel = relDiff(o, ob), fl = flops(kernel, t);
      auto gf = [&](double ms) { return fl / (ms * 1e6); };
      std::printf(
          "%-14s %6d | %10.3f %8.1f %5.1f%% %8.0f | %10.3f %8.0f | "
          "%6.2fx | %9.1e | %s%s\n",
          kernel.c_str(), t, attn.ms, gf(attn.ms), 100 * gf(attn.ms) / best,
          attn.rssMiB, blasRun.ms, blasRun.rssMiB, blasRun.ms / attn.ms, rel,
          adams.ms > 0 ? std::to_string(adams.ms).substr(0, 8).c_str() : "-",
          std::max(rel, adamsRel) > 1e-4 ? "  DIFFERS" : "");
      std::fflush(stdout);
      csv << kernel << "," << t << ",attn," << attn.ms << "," << gf(attn.ms)
          << "," << 100 * gf(attn.ms) / best << "," << attn.rssMiB << "," << io
          << "," << rel << "\n";
      csv << kernel << "," << t << ",openblas+loops," << blasRun.ms << ","
          << gf(blasRun.ms) << "," << 100 * gf(blasRun.ms) / best << ","
          << blasRun.rssMiB << "," << io << ",0\n";
      if (adams.ms > 0)
        csv << kernel << "," << t << ",attn-adams2019," << adams.ms << ","
            << gf(adams.ms) << "," << 100 * gf(adams.ms) / best << ","
            << adams.rssMiB << "," << io << "," << adamsRel << "\n";
    }
  }
  std::printf("\nCSV: %s (peak %.1f GFLOP/s)\n", csvPath.c_str(), best);
  return 0;
}
