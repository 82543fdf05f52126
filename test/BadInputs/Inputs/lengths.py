"""Writes q, k, v .npy inputs of shape [1, 1, T, 2] with the given lengths.

    lengths.py DIR TQ TK TV
"""
import sys

import numpy as np

d, tq, tk, tv = sys.argv[1], *map(int, sys.argv[2:5])
rng = np.random.default_rng(3)
for name, t in (("q", tq), ("k", tk), ("v", tv)):
    np.save(f"{d}/{name}{t}.npy", rng.uniform(-1, 1, (1, 1, t, 2)).astype(np.float32))
