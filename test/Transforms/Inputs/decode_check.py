"""Prefill of a prompt followed by single-token steps equals the whole
sequence: runs @lm, @lm_prefill and @lm_step of MODEL with attn-run.

usage: decode_check.py MODEL WORKDIR BACKEND PROMPT STEPS
"""
import os
import subprocess
import sys

import numpy as np


def run(model, entry, arrays, backend, workdir, tag):
    paths = []
    for i, a in enumerate(arrays):
        p = os.path.join(workdir, f"{tag}.in{i}.npy")
        np.save(p, a.astype(np.float32))
        paths.append(p)
    out = os.path.join(workdir, f"{tag}.out")
    cmd = ["attn-run", model, "--entry", entry, "--backend", backend, "--output-dir", out]
    for p in paths:
        cmd += ["--input", p]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    results = []
    i = 0
    while os.path.exists(os.path.join(out, f"result{i}.npy")):
        results.append(np.load(os.path.join(out, f"result{i}.npy")).astype(np.float64))
        i += 1
    return results


def main():
    model, workdir, backend = sys.argv[1:4]
    prompt, steps = int(sys.argv[4]), int(sys.argv[5])
    t = prompt + steps
    rng = np.random.default_rng(11)
    q, k = (rng.uniform(-1, 1, (1, 2, t, 8)) for _ in range(2))
    v = rng.uniform(-1, 1, (1, 2, t, 6))
    (full,) = run(model, "lm", [q, k, v], backend, workdir, "full")
    s, z = np.zeros((1, 2, 8, 6)), np.zeros((1, 2, 1, 8))
    out, s, z = run(model, "lm_prefill", [q[:, :, :prompt], k[:, :, :prompt], v[:, :, :prompt], s, z],
                    backend, workdir, "prefill")
    outs = [out]
    for i in range(prompt, t):
        o, s, z = run(model, "lm_step", [q[:, :, i:i + 1], k[:, :, i:i + 1], v[:, :, i:i + 1], s, z],
                      backend, workdir, f"step{i}")
        outs.append(o)
    got = np.concatenate(outs, axis=2)
    err = np.abs(got - full).max() / np.abs(full).max()
    print(f"prefill {prompt} + {steps} steps vs whole sequence ({backend}): rel error {err:.2e}")
    sys.exit(0 if err < 1e-5 else 1)


if __name__ == "__main__":
    main()
