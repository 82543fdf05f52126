"""On the GPU machine: PyTorch eager and SDPA on the inputs attn_gpu_bench
wrote, CUDA-event timing, and the max relative error of every output
(attn's and PyTorch's) against an fp64 evaluation on the GPU.

usage: torch_gpu.py WORKDIR ATTN_TIMES_CSV OUT_CSV [B = 4]
"""
import csv
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_kernels import D, H, linear, linear_causal  # noqa: E402


def softmax_eager(q, k, v):
    return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D), -1) @ v


def sdpa(q, k, v):
    return F.scaled_dot_product_attention(q, k, v)


def softmax_causal_eager(q, k, v, first=0):
    """Causal softmax attention of query rows first, first + 1, ..."""
    s = q @ k.transpose(-1, -2) / math.sqrt(D)
    rows = torch.arange(first, first + q.shape[-2], device=q.device)[:, None]
    mask = torch.arange(k.shape[-2], device=q.device)[None, :] > rows
    return torch.softmax(s.masked_fill(mask, float("-inf")), -1) @ v


def sdpa_causal(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def by_rows(fn, rows=1024):
    """fn(q rows, k, v, first row) over blocks of query rows: an fp64
    reference whose T x T scores never exist whole (64 GiB at T = 16k)."""
    def run(q, k, v):
        return torch.cat([fn(q[..., i:i + rows, :], k, v, i)
                          for i in range(0, q.shape[-2], rows)], dim=-2)
    return run


# Eager softmax stores T x T scores (and a masked copy): beyond this T it
# does not fit, and only SDPA runs.
EAGER_MAX_T = 4096


def time_ms(fn, *args):
    fn(*args)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(10):
        start.record()
        fn(*args)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def rel(got, want):
    return ((got.double() - want).abs().max() / want.abs().max()).item()


def main():
    work, attn_csv, out_csv = sys.argv[1:4]
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 means fp32 here
    torch.backends.cudnn.allow_tf32 = False
    attn_ms = {(r["kernel"], int(r["T"])): float(r["ms"]) for r in csv.DictReader(open(attn_csv))}
    impls = {"linear": [("torch einsum", linear)],
             "linear_causal": [("torch chunked", linear_causal)],
             "softmax": [("torch eager", softmax_eager), ("torch sdpa", sdpa)],
             "softmax_causal": [("torch eager", softmax_causal_eager),
                                ("torch sdpa", sdpa_causal)]}
    refs = {"linear": linear, "linear_causal": linear_causal,
            "softmax": by_rows(lambda q, k, v, first: softmax_eager(q, k, v)),
            "softmax_causal": by_rows(softmax_causal_eager)}
    rows = []
    print(f"{'kernel':14s} {'T':>6s} {'impl':>14s} {'ms':>10s} {'rel err vs fp64':>16s}")
    for (kernel, t), ms in sorted(attn_ms.items(), key=lambda x: (x[0][0], x[0][1])):
        stem = os.path.join(work, f"T{t}_")
        q, k, v = (torch.from_numpy(np.fromfile(stem + n + ".bin", dtype=np.float32)
                                    .reshape(batch, H, t, D)).cuda() for n in "qkv")
        with torch.no_grad():
            want = refs[kernel](q.double(), k.double(), v.double())
            got = torch.from_numpy(np.fromfile(stem + kernel + "_attn.bin", dtype=np.float32)
                                   .reshape(batch, H, t, D)).cuda()
            results = [("attn", ms, rel(got, want))]
            for name, fn in impls[kernel]:
                if name == "torch eager" and kernel.startswith("softmax") and t > EAGER_MAX_T:
                    continue
                results.append((name, time_ms(fn, q, k, v), rel(fn(q, k, v), want)))
        del want
        torch.cuda.empty_cache()
        for name, m, e in results:
            print(f"{kernel:14s} {t:6d} {name:>14s} {m:10.3f} {e:16.2e}", flush=True)
            rows.append((kernel, t, name, m, e))
    with open(out_csv, "w") as f:
        f.write("kernel,T,impl,ms,rel_err\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        kernels = sorted({r[0] for r in rows})
        fig, axes = plt.subplots(1, len(kernels), figsize=(4.5 * len(kernels), 3.6), squeeze=False)
        for ax, kernel in zip(axes[0], kernels):
            for name in sorted({r[2] for r in rows if r[0] == kernel}):
                pts = sorted((r[1], r[3]) for r in rows if r[0] == kernel and r[2] == name)
                ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=name)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(kernel)
            ax.set_xlabel("T")
            ax.set_ylabel("ms")
            ax.legend()
        fig.suptitle(f"B={batch} H=8 d=64 fp32, GPU")
        fig.tight_layout()
        fig.savefig(out_csv.replace(".csv", ".png"), dpi=110)
    except ImportError:
        print("matplotlib not found: no plot (bench/report.py can draw one elsewhere)")


if __name__ == "__main__":
    main()
