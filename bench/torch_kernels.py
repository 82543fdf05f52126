"""The bench kernels in PyTorch, as a PyTorch user writes them: shared by
the CPU baseline (bench/torch_baseline.py) and the GPU one
(bench/gpu/torch_gpu.py), whose fp64 references they also are. Tensors are
[B, H, T, D]."""
import math

import torch
import torch.nn.functional as F

H, D, C = 8, 64, 64  # heads, head width, chunk of the causal form


def elu1(x):
    return F.elu(x) + 1


def softmax_per_head(q, k, v):
    """One head at a time: a T x T score matrix per head is 1 GiB at 16k."""
    return torch.stack([torch.softmax(q[:, h] @ k[:, h].transpose(-1, -2) / math.sqrt(D), -1) @ v[:, h]
                        for h in range(q.shape[1])], 1)


def linear(q, k, v):
    fq, fk = elu1(q), elu1(k)
    kv = torch.einsum("bhtd,bhte->bhde", fk, v)
    den = torch.einsum("bhtd,bhd->bht", fq, fk.sum(2))[..., None] + 1e-6
    return torch.einsum("bhtd,bhde->bhte", fq, kv) / den


def linear_causal(q, k, v):
    """Chunked: masked products inside a chunk, a prefix of chunk states."""
    b, h, t, d = q.shape
    n = (t + C - 1) // C
    pad = n * C - t
    fq, fk = elu1(q), elu1(k)
    fq, fk, vv = (F.pad(x, (0, 0, 0, pad)).reshape(b, h, n, C, -1) for x in (fq, fk, v))
    mask = torch.tril(torch.ones(C, C, dtype=q.dtype, device=q.device))
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
