"""Reads the bench CSV (attn, openblas+loops, torch rows), prints one table
with speedups over each baseline, and plots time vs T (log-log).

usage: report.py CSV PNG PEAK_GFLOPS
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    path, png, peak = sys.argv[1], sys.argv[2], float(sys.argv[3])
    rows = defaultdict(dict)  # (kernel, T) -> impl -> row
    for r in csv.DictReader(open(path)):
        rows[(r["kernel"], int(r["T"]))][r["impl"]] = r
    impls = ["attn", "attn-adams2019", "openblas+loops", "torch"]
    print(f"{'kernel':14s} {'T':>6s} | " + " | ".join(f"{i:>15s} ms" for i in impls) +
          " | attn GFLOP/s  %peak | vs blas  vs torch | attn RSS / in+out")
    for (kernel, t), by in sorted(rows.items()):
        ms = {i: float(by[i]["ms"]) if i in by else float("nan") for i in impls}
        a = by.get("attn")
        if not a:
            continue
        gf = float(a["gflops"])
        print(f"{kernel:14s} {t:6d} | " + " | ".join(f"{ms[i]:18.3f}" for i in impls) +
              f" | {gf:12.1f} {100 * gf / peak:5.1f}% | {ms['openblas+loops'] / ms['attn']:6.2f}x "
              f"{ms['torch'] / ms['attn']:7.2f}x | {float(a['peak_rss_mib']):.0f} / "
              f"{float(a['io_mib']):.0f} MiB")
    kernels = sorted({k for k, _ in rows})
    fig, axes = plt.subplots(1, len(kernels), figsize=(4 * len(kernels), 3.6), squeeze=False)
    for ax, kernel in zip(axes[0], kernels):
        # Fixed styles and colours: an implementation missing for a kernel
        # must not shift the others' colours.
        for impl, style, colour in zip(impls, ["o-", "d-.", "s--", "^:"],
                                       ["C0", "C1", "C2", "C3"]):
            pts = sorted((t, float(by[impl]["ms"])) for (k, t), by in rows.items()
                         if k == kernel and impl in by)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=colour,
                        label=impl)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(kernel)
        ax.set_xlabel("T")
        ax.set_ylabel("ms")
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = {}, {}
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles[lab] = h
    fig.legend(list(handles.values()), list(handles.keys()), loc="upper right")
    fig.suptitle("B=1 H=8 d=64 fp32, 2 threads")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"plot: {png}")


if __name__ == "__main__":
    main()
