"""FAVOR+ as rewritten by attn-remove-softmax, against its formula in NumPy.

usage: favor_check.py make-inputs DIR
       favor_check.py check REWRITTEN.mlir DIR M OTHER_SEED.mlir BIG_M.mlir
"""
import re
import sys

import numpy as np

B, T, D = 2, 40, 8


def projection(path):
    """The dense f64 constant W of the rewritten file (MLIR prints large
    constants as little-endian hex, small ones as nested lists)."""
    text = open(path).read()
    m = re.search(r'dense<(".*?"|\[\[.*?\]\])> : tensor<(\d+)x(\d+)xf64>', text, re.S)
    body, shape = m.group(1), (int(m.group(2)), int(m.group(3)))
    if body.startswith('"0x'):
        return np.frombuffer(bytes.fromhex(body[3:-1]), dtype="<f8").reshape(shape)
    values = [float(x) for x in re.findall(r"[-+0-9.eE]+", body)]
    return np.array(values).reshape(shape)


def favor_attention(q, k, v, w, scale):
    # phi(x) = m^-1/2 exp(W x - |x|^2 / 2) on sqrt(scale) x; normalised.
    def phi(x):
        x = x * np.sqrt(scale)
        return np.exp(x @ w.T - (x * x).sum(-1, keepdims=True) / 2) / np.sqrt(w.shape[0])

    fq, fk = phi(q), phi(k)
    num = fq @ (np.swapaxes(fk, -1, -2) @ v)
    den = fq @ fk.sum(-2, keepdims=True).swapaxes(-1, -2)
    return num / (den + 1e-6)


def softmax_attention(q, k, v, scale):
    s = scale * q @ np.swapaxes(k, -1, -2)
    p = np.exp(s - s.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ v


def main():
    if sys.argv[1] == "make-inputs":
        rng = np.random.default_rng(3)
        for name in "qkv":
            np.save(f"{sys.argv[2]}/{name}.npy", 0.5 * rng.standard_normal((B, T, D)))
        return
    rewritten, out_dir, m = sys.argv[2], sys.argv[3], int(sys.argv[4])
    q, k, v = (np.load(f"{out_dir}/{n}.npy") for n in "qkv")
    w = projection(rewritten)
    assert w.shape == (m, D), w.shape
    # Orthogonal blocks of D rows.
    for start in range(0, m, D):
        block = w[start:start + D]
        gram = block @ block.T
        off = gram - np.diag(np.diag(gram))
        assert np.abs(off).max() < 1e-9 * np.abs(gram).max(), "rows not orthogonal"
    assert not np.allclose(w, projection(sys.argv[5])), "seed does not change W"
    scale = 1 / np.sqrt(D)
    got = np.load(f"{out_dir}/out/result0.npy")
    want = favor_attention(q, k, v, w, scale)
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"favor formula: m={m} rel error {err:.2e}")
    assert err < 1e-10
    # With many features FAVOR+ approximates the softmax it replaced.
    w_big = projection(sys.argv[6])
    approx = favor_attention(q, k, v, w_big, scale)
    exact = softmax_attention(q, k, v, scale)
    rel = np.abs(approx - exact).max() / np.abs(exact).max()
    print(f"favor vs softmax: m={w_big.shape[0]} rel error {rel:.2e}")
    assert rel < 0.1
    print("favor ok")


if __name__ == "__main__":
    main()
