"""Runs @lm_prefill of MODEL on an empty prompt with random states; prints
whether each backend returns the states unchanged.

usage: empty_prefill.py MODEL WORKDIR
"""
import os
import subprocess
import sys

import numpy as np

model, work = sys.argv[1:3]
rng = np.random.default_rng(5)
arrays = [np.zeros((1, 2, 0, 8)), np.zeros((1, 2, 0, 8)), np.zeros((1, 2, 0, 6)),
          rng.uniform(-1, 1, (1, 2, 8, 6)), rng.uniform(-1, 1, (1, 2, 1, 8))]
paths = []
for i, a in enumerate(arrays):
    paths.append(os.path.join(work, f"empty{i}.npy"))
    np.save(paths[-1], a.astype(np.float32))
for backend in ("reference", "halide"):
    out = os.path.join(work, "empty-" + backend)
    cmd = ["attn-run", model, "--entry", "lm_prefill", "--backend", backend,
           "--output-dir", out]
    for p in paths:
        cmd += ["--input", p]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    o, s, z = (np.load(os.path.join(out, f"result{i}.npy")) for i in range(3))
    same = np.array_equal(s, arrays[3].astype(np.float32)) and np.array_equal(
        z, arrays[4].astype(np.float32))
    print(f"{backend}: states {'unchanged' if same else 'CHANGED'}, output {list(o.shape)}")
