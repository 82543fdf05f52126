"""The bench kernels in PyTorch eager (Debian's python3-torch, CPU, 2
threads), as a PyTorch user writes them; appends CSV rows like attn_bench's.

usage: torch_baseline.py CSV MAX_T [KERNELS]
"""
import sys
import time

import torch

from torch_kernels import (C, D, H, aft_simple, galerkin, linear, linear_causal,
                           softmax_per_head)

KERNELS = {"softmax": softmax_per_head, "linear": linear, "linear_causal": linear_causal,
           "galerkin": galerkin, "aft_simple": aft_simple}


def flops(kernel, t):
    if kernel == "softmax":
        return 4 * t * t * D * H
    if kernel in ("linear", "galerkin"):
        return 4 * t * D * D * H
    if kernel == "linear_causal":
        return 4 * t * D * D * H + 2 * t * C * D * H
    return 4 * t * D * H


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def median_ms(fn):
    fn()
    times, total = [], 0.0
    while len(times) < 3 or (len(times) < 10 and total < 2000):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        total += times[-1]
    return sorted(times)[len(times) // 2]


def main():
    csv, max_t = sys.argv[1], int(sys.argv[2])
    kernels = sys.argv[3].split(",") if len(sys.argv) > 3 else list(KERNELS)
    torch.set_num_threads(2)
    torch.manual_seed(7)
    with open(csv, "a") as out:
        for kernel in kernels:
            fn = KERNELS[kernel]
            t = 1024
            while t <= max_t:
                if kernel == "softmax" and t > 16384:
                    break
                q, k, v = (torch.rand(1, H, t, D) * 2 - 1 for _ in range(3))
                with open("/proc/self/clear_refs", "w") as f:
                    f.write("5")
                with torch.no_grad():
                    ms = median_ms(lambda: fn(q, k, v))
                rss = peak_rss_mib()
                io = 4 * q.numel() * 4 / 2 ** 20
                gf = flops(kernel, t) / (ms * 1e6)
                print(f"torch {kernel:14s} {t:6d} {ms:10.3f} ms {gf:8.1f} GFLOP/s  RSS {rss:.0f} MiB",
                      flush=True)
                out.write(f"{kernel},{t},torch,{ms},{gf},,{rss},{io},\n")
                t *= 4


if __name__ == "__main__":
    main()
