"""The bench kernels in PyTorch eager (Debian's python3-torch, CPU, 2
threads), as a PyTorch user writes them; appends CSV rows like attn_bench's.

usage: torch_baseline.py CSV MAX_T [KERNELS]
"""
import math
import sys
import time

import torch
import torch.nn.functional as F

H, D, C = 8, 64, 64


def elu1(x):
    return F.elu(x) + 1


def softmax(q, k, v):
    # Per head: a T x T score matrix per head is 1 GiB at T = 16k.
    return torch.stack([torch.softmax(q[:, h] @ k[:, h].transpose(-1, -2) / math.sqrt(D), -1) @ v[:, h]
                        for h in range(q.shape[1])], 1)


def linear(q, k, v):
    fq, fk = elu1(q), elu1(k)
    kv = torch.einsum("bhtd,bhte->bhde", fk, v)
    z = fk.sum(2)
    return torch.einsum("bhtd,bhde->bhte", fq, kv) / (torch.einsum("bhtd,bhd->bht", fq, z)[..., None] + 1e-6)


def linear_causal(q, k, v):
    # Chunked: masked products inside a chunk, prefix of chunk states across.
    b, h, t, d = q.shape
    n = (t + C - 1) // C
    pad = n * C - t
    fq, fk = elu1(q), elu1(k)
    fq, fk, vv = (F.pad(x, (0, 0, 0, pad)).reshape(b, h, n, C, -1) for x in (fq, fk, v))
    mask = torch.tril(torch.ones(C, C, dtype=q.dtype))
    a = (fq @ fk.transpose(-1, -2)) * mask
    states = fk.transpose(-1, -2) @ vv
    prefix = torch.cumsum(states, 2) - states
    zs = fk.sum(3)
    zprefix = torch.cumsum(zs, 2) - zs
    num = a @ vv + fq @ prefix
    den = a.sum(-1) + torch.einsum("bhncd,bhnd->bhnc", fq, zprefix) + 1e-6
    return (num / den[..., None]).reshape(b, h, n * C, -1)[:, :, :t]


def galerkin(q, k, v):
    kn, vn = F.layer_norm(k, (D,)), F.layer_norm(v, (D,))
    return q @ (kn.transpose(-1, -2) @ vn) / q.shape[2]


def aft_simple(q, k, v):
    ek = torch.exp(k)
    return torch.sigmoid(q) * (ek * v).sum(2, keepdim=True) / ek.sum(2, keepdim=True)


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
    kernels = sys.argv[3].split(",") if len(sys.argv) > 3 else \
        ["softmax", "linear", "linear_causal", "galerkin", "aft_simple"]
    torch.set_num_threads(2)
    torch.manual_seed(7)
    with open(csv, "a") as out:
        for kernel in kernels:
            fn = globals()[kernel]
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
