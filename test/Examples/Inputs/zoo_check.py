"""Checks every function of examples/zoo/zoo.mlir against its paper's formula
written here in NumPy (fp64), independently of the dialect's interpreter.

usage: zoo_check.py ZOO.mlir LINEARIZED.mlir WORKDIR
Runs attn-run (from PATH) on the reference interpreter and compiled, on the
model as written and after --attn-linearize, with the same inputs.
"""
import os
import subprocess
import sys

import numpy as np

H, D, M, TS, TD = 2, 8, 16, 48, 40
GAMMAS = [1 - 2.0 ** (-5 - h) for h in range(H)]  # RetNet's per-head decays


def ln(x, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)


def rms(x, eps=1e-6):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def elu1(x):
    return np.where(x > 0, x + 1, np.exp(x))


def tril(t):
    return np.tril(np.ones((t, t)))


def softmax_att(q, k, v, causal):
    s = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    if causal:
        s = np.where(tril(s.shape[-1]) > 0, s, -np.inf)
    p = np.exp(s - s.max(-1, keepdims=True))
    return p / p.sum(-1, keepdims=True) @ v


def linear_att(q, k, v, phi, causal):
    fq, fk = phi(q), phi(k)
    if not causal:
        return fq @ (fk.swapaxes(-1, -2) @ v) / (fq @ fk.sum(-2)[..., None] + 1e-6)
    out = np.zeros_like(v)
    for t in range(q.shape[-2]):  # running sums, as the paper's RNN view
        s = np.einsum("...sd,...se->...de", fk[..., : t + 1, :], v[..., : t + 1, :])
        z = fk[..., : t + 1, :].sum(-2)
        out[..., t, :] = np.einsum("...d,...de->...e", fq[..., t, :], s) / (
            np.einsum("...d,...d->...", fq[..., t, :], z)[..., None] + 1e-6)
    return out


def favor(q, k, v, w):
    def phi(x):
        x = x * D ** -0.25
        return np.exp(x @ w.T - (x * x).sum(-1, keepdims=True) / 2) / np.sqrt(w.shape[0])
    fq, fk = phi(q), phi(k)
    s = fq @ fk.swapaxes(-1, -2)
    return s @ v / (s.sum(-1, keepdims=True) + 1e-6)


def aft(q, k, v, w):
    ew, ek = np.exp(w), np.exp(k)
    return sigmoid(q) * (ew @ (ek * v)) / (ew @ ek)


def retention_recurrent(q, k, v):
    s = np.zeros(q.shape[:-2] + (D, D))
    gamma = np.array(GAMMAS)[None, :, None, None]
    out = np.zeros_like(v)
    for t in range(q.shape[-2]):
        s = gamma * s + np.einsum("...d,...e->...de", k[..., t, :], v[..., t, :])
        out[..., t, :] = np.einsum("...d,...de->...e", q[..., t, :], s)
    return out


def decay_matrix(t):
    i, j = np.indices((t, t))
    return np.stack([np.where(j <= i, g ** (i - j), 0.0) for g in GAMMAS])[None]


def gau_mixed(q, k, v, ql, kl, causal, c=16):
    t = q.shape[-2]
    out = np.zeros_like(v)
    state = np.zeros(q.shape[:-2] + (q.shape[-1], v.shape[-1]))
    total = np.einsum("...sd,...se->...de", kl, v)
    for g in range(0, t, c):
        sl = slice(g, g + c)
        a = np.maximum(q[..., sl, :] @ k[..., sl, :].swapaxes(-1, -2) / c, 0) ** 2
        if causal:
            a = a * tril(a.shape[-1])
        lin = state if causal else total
        out[..., sl, :] = a @ v[..., sl, :] + ql[..., sl, :] @ lin / t
        state = state + np.einsum("...sd,...se->...de", kl[..., sl, :], v[..., sl, :])
    return out


def silu(x):
    return x * sigmoid(x)


def gau_layer(x, wu, wv, wz, gq, bq, gk, bk, b, wo):
    u, v, z = silu(x @ wu), silu(x @ wv), silu(x @ wz)
    q, k = z * gq + bq, z * gk + bk
    a = np.maximum(q @ k.swapaxes(-1, -2) / x.shape[-2] + b, 0) ** 2
    return (u * (a @ v)) @ wo


def cases(rng):
    def x(t, h=H):
        return rng.uniform(-1, 1, (1, h, t, D)).astype(np.float32).astype(np.float64)

    def f32(a):
        return a.astype(np.float32).astype(np.float64)

    q, k, v = x(TD), x(TD), x(TD)
    qs, ks, vs = x(TS), x(TS), x(TS)
    q1, k1, v1 = x(TD), x(TD), x(TD)
    w_favor = f32(rng.standard_normal((M, D)))
    w = f32(0.1 * rng.standard_normal((1, 1, TS, TS)))
    i, j = np.indices((TS, TS))
    band = (np.abs(i - j) < 5).astype(np.float64)[None, None]
    b = f32(0.1 * rng.standard_normal((1, 1, TS, TS)))
    yield "softmax", [q, k, v], softmax_att(q, k, v, False)
    yield "softmax_causal", [q, k, v], softmax_att(q, k, v, True)
    yield "linear_elu", [q, k, v], linear_att(q, k, v, elu1, False)
    yield "linear_elu_causal", [q, k, v], linear_att(q, k, v, elu1, True)
    yield "linear_relu_causal", [q, k, v], linear_att(q, k, v, lambda a: np.maximum(a, 0), True)
    yield "favor", [q, k, v, w_favor], favor(q, k, v, w_favor)
    yield "galerkin", [qs, ks, vs], qs @ (ln(ks).swapaxes(-1, -2) @ ln(vs)) / TS
    yield "fourier", [qs, ks, vs], (ln(qs) @ ln(ks).swapaxes(-1, -2)) @ vs / TS
    yield "aft_full", [qs, ks, vs, w], aft(qs, ks, vs, w)
    ek = np.exp(k)
    yield "aft_simple", [q, k, v], sigmoid(q) * (ek * v).sum(-2, keepdims=True) / ek.sum(-2, keepdims=True)
    eks = np.exp(ks)
    yield "aft_simple_causal", [qs, ks, vs], sigmoid(qs) * np.cumsum(eks * vs, -2) / np.cumsum(eks, -2)
    yield "aft_local", [qs, ks, vs, w, band], aft(qs, ks, vs, w * band)
    yield "norm_attention", [q, k, v], rms(elu1(q) @ (elu1(k).swapaxes(-1, -2) @ v))
    yield "retnet_parallel", [q1, k1, v1, decay_matrix(TD)], (q1 @ k1.swapaxes(-1, -2) * decay_matrix(TD)) @ v1
    yield "retnet_recurrent", [q1, k1, v1], retention_recurrent(q1, k1, v1)
    yield "gau_quadratic", [qs, ks, vs, b], np.maximum(qs @ ks.swapaxes(-1, -2) / TS + b, 0) ** 2 @ vs
    g = [x(TS, 1) for _ in range(5)]
    yield "gau_mixed", g, gau_mixed(*g, causal=False)
    yield "gau_mixed_causal", g, gau_mixed(*g, causal=True)
    shapes = [(1, 1, TS, D), (1, 1, D, 16), (1, 1, D, 16), (1, 1, D, 8), (1, 1, 1, 8),
              (1, 1, 1, 8), (1, 1, 1, 8), (1, 1, 1, 8), (1, 1, TS, TS), (1, 1, 16, D)]
    layer = [f32(rng.uniform(-1, 1, s)) for s in shapes]
    yield "gau_layer", layer, gau_layer(*layer)


def run(model, name, inputs, backend, workdir):
    out = os.path.join(workdir, f"{name}.{os.path.basename(model)}.{backend}")
    cmd = ["attn-run", model, "--entry", name, "--backend", backend, "--output-dir", out]
    for path in inputs:
        cmd += ["--input", path]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return np.load(os.path.join(out, "result0.npy")).astype(np.float64)


def rel(got, want):
    return np.abs(got - want).max() / np.abs(want).max()


def main():
    zoo, linearized, workdir = sys.argv[1:4]
    rng = np.random.default_rng(2026)
    failures = 0
    for name, args, want in cases(rng):
        paths = []
        for i, a in enumerate(args):
            path = os.path.join(workdir, f"{name}.{i}.npy")
            np.save(path, a.astype(np.float32))
            paths.append(path)
        errs = [rel(run(zoo, name, paths, "reference", workdir), want),
                rel(run(zoo, name, paths, "halide", workdir), want),
                rel(run(linearized, name, paths, "halide", workdir), want)]
        ok = errs[0] < 1e-6 and errs[1] < 1e-5 and errs[2] < 1e-5
        failures += not ok
        print(f"{name:20s} reference {errs[0]:.1e}  compiled {errs[1]:.1e}  "
              f"linearized+compiled {errs[2]:.1e}  {'ok' if ok else 'FAIL'}")
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
