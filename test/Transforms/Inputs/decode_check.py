"""Prefill of a prompt followed by single-token steps equals the whole
sequence: runs @ENTRY, @ENTRY_prefill and @ENTRY_step of MODEL with attn-run.
Inputs and states are shaped after @ENTRY_prefill's signature (the sequence
is the `?` dimension); states start at zero. The prompt goes through two
prefills, so that one starts from a state that is not zero.

usage: decode_check.py MODEL WORKDIR BACKEND ENTRY PROMPT STEPS
"""
import os
import re
import shutil
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
    shutil.rmtree(out, ignore_errors=True)  # no results of an earlier run
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


def signature(model, entry):
    """(shape with None for the sequence, is_state) per argument of @entry."""
    text = open(model).read()
    m = re.search(r"func\.func @" + entry + r"\((.*?)\) ->", text)
    args = []
    for t, name in re.findall(r"%arg\d+: tensor<([0-9x?]+)xf(?:32|64)>(?: \{attn.name = \"(\w+)\"\})?",
                              m.group(1)):
        shape = [None if d == "?" else int(d) for d in t.split("x")]
        args.append((shape, name.startswith("state")))
    return args


def main():
    model, workdir, backend, entry = sys.argv[1:5]
    prompt, steps = int(sys.argv[5]), int(sys.argv[6])
    t = prompt + steps
    rng = np.random.default_rng(11)
    args = signature(model, entry + "_prefill")
    inputs = [rng.uniform(-1, 1, [t if d is None else d for d in shape])
              for shape, state in args if not state]
    states = [np.zeros(shape) for shape, state in args if state]
    (full,) = run(model, entry, inputs, backend, workdir, "full")
    part = lambda lo, hi: [x[:, :, lo:hi] for x in inputs]
    # The prompt in two prefills: the second starts from a non-zero state.
    half = (prompt + 1) // 2
    outs = []
    for lo, hi in ((0, half), (half, prompt)):
        out, *states = run(model, entry + "_prefill", part(lo, hi) + states,
                           backend, workdir, f"prefill{lo}")
        outs.append(out)
    for i in range(prompt, t):
        o, *states = run(model, entry + "_step", part(i, i + 1) + states,
                         backend, workdir, f"step{i}")
        outs.append(o)
    got = np.concatenate(outs, axis=2)
    err = np.abs(got - full).max() / np.abs(full).max()
    print(f"{entry}: prefill {half}+{prompt - half} + {steps} steps vs whole sequence ({backend}): "
          f"{len(states)} state(s), rel error {err:.2e}")
    sys.exit(0 if err < 1e-5 else 1)


if __name__ == "__main__":
    main()
