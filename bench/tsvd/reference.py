#!/usr/bin/python3
"""Baseline for bench/tsvd: the direct TSVD transition as TSVD.md states it, written in
PyTorch the way the paper's public reference (ternary_decompose_pytorch.py) runs it:
- float32, the dtype of model weights and the only dtype the reference is used with;
- an SVD of the dense residual every step: the full torch.linalg.svd, except for
  matrices of more than 1024^2 entries, where the reference switches to
  torch.svd_lowrank(R, 5 k) (randomized, 2 power iterations);
- a full refit every step: K = (U^T U) o (V V^T) formed by matmuls, damped by
  1e-5 rms(K), Cholesky from scratch (cholesky_ex: a failed factor is not an error);
- stop when sigma_1(R) / sigma_1(A) < tol, both read off the step's SVD.
Written from ../../../shared/TSVD.md and the paper's description, not copied.
The reported error and Frobenius error are computed afterwards in float64 from the
returned factors (not timed), so they compare directly with tsvdc's.

usage: reference.py matrix.npy [--tol 0.01] [--cos-thresh 0.8386] [--steps 20]
                               [--max-rank N] [--threads N] [--float64]
--threads defaults to every CPU (torch.set_num_threads(os.cpu_count())).
prints one JSON line: rank, error, frobeniusError, sparsity, nnzU, nnzV, seconds, steps,
threads, dtype, blas (the BLAS library loaded in this process).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch

# the reference's own switch to a randomized SVD
LOWRANK_ENTRIES = 1024 ** 2


def ternary_policy(a, c):
    """Rows of a (unit vectors) -> ternary rows: keep the j largest |a| as sign(a) (0 -> +1)."""
    mags = a.abs()
    if c <= 0:
        return torch.where(a < 0, -1.0, 1.0).to(a.dtype)
    srt, _ = torch.sort(mags, dim=1, descending=True)
    j = torch.arange(1, a.shape[1] + 1, dtype=a.dtype)
    score = torch.cumsum(srt, dim=1) / torch.sqrt(j)
    reach = score >= c
    first = torch.where(reach.any(dim=1), reach.to(torch.int64).argmax(dim=1), score.argmax(dim=1))
    thr = srt.gather(1, first[:, None])
    sign = torch.where(a < 0, -1.0, 1.0).to(a.dtype)
    return sign * (mags >= thr).to(a.dtype)


def top_triplets(R, k):
    if R.numel() > LOWRANK_ENTRIES:
        u, s, v = torch.svd_lowrank(R, q=min(5 * k, min(R.shape)))
        return u, s, v.T
    return torch.linalg.svd(R, full_matrices=False)


def refit(A, U, V):
    K = (U.T @ U) * (V @ V.T)
    b = ((A @ V.T) * U).sum(dim=0)
    rms = torch.sqrt((K * K).mean())
    K = K + 1e-5 * rms * torch.eye(K.shape[0], dtype=K.dtype)
    L, _ = torch.linalg.cholesky_ex(K)
    s = torch.cholesky_solve(b[:, None], L)[:, 0]
    return s, A - (U * s) @ V


def tsvd(A, tol, c, steps, max_rank):
    transposed = A.shape[0] > A.shape[1]
    if transposed:
        A = A.T.contiguous()
    m, n = A.shape
    k = max(1, math.floor(m * n / (m + n) / steps))
    U = torch.zeros(m, 0, dtype=A.dtype)
    V = torch.zeros(0, n, dtype=A.dtype)
    s = torch.zeros(0, dtype=A.dtype)
    R = A
    sref = None
    nsteps = 0
    reached = False
    while True:
        Ur, S, Vh = top_triplets(R, k)
        if sref is None:
            sref = S[0]
        if S[0] / sref < tol:
            break
        kk = min(k, max_rank - U.shape[1])
        if kk <= 0:
            reached = True
            break
        U = torch.cat([U, ternary_policy(Ur[:, :kk].T, c).T], dim=1)
        V = torch.cat([V, ternary_policy(Vh[:kk], c)], dim=0)
        s, R = refit(A, U, V)
        nsteps += 1
    if transposed:
        U, V = V.T, U.T
    return U, s, V, nsteps, reached


def blas_library():
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open('/proc/self/maps') as f:
        libs = {line.split()[-1] for line in f if 'blas' in line}
    return sorted(os.path.basename(x) for x in libs) or ['none found']


def main():
    p = argparse.ArgumentParser()
    p.add_argument('matrix')
    p.add_argument('--tol', type=float, default=0.01)
    p.add_argument('--cos-thresh', type=float, default=0.8386)
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--max-rank', type=int, default=1 << 62)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--float64', action='store_true', help='run in float64 instead of the reference\'s float32')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float64 if a.float64 else torch.float32
    A64 = torch.from_numpy(np.load(a.matrix).astype(np.float64))
    A = A64.to(dtype)
    t0 = time.perf_counter()
    U, s, V, nsteps, reached = tsvd(A, a.tol, a.cos_thresh, a.steps, a.max_rank)
    secs = time.perf_counter() - t0
    U64, s64, V64 = U.double(), s.double(), V.double()
    R = A64 - (U64 * s64) @ V64
    err = (torch.linalg.matrix_norm(R, 2) / torch.linalg.matrix_norm(A64, 2)).item()
    frob = (R.norm() / A64.norm()).item()
    r = s.shape[0]
    nnzU = int((U != 0).sum())
    nnzV = int((V != 0).sum())
    entries = r * (A.shape[0] + A.shape[1])
    print(json.dumps({
        'rank': r, 'error': err, 'frobeniusError': frob,
        'sparsity': 1 - (nnzU + nnzV) / entries if entries else 0,
        'nnzU': nnzU, 'nnzV': nnzV, 'seconds': secs, 'steps': nsteps, 'reachedMaxRank': reached,
        'threads': torch.get_num_threads(), 'dtype': str(dtype).replace('torch.', ''), 'blas': blas_library(),
        'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
