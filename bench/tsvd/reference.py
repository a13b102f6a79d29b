#!/usr/bin/python3
"""Baseline for bench/tsvd: the direct TSVD transition as TSVD.md states it, written
in PyTorch the way the paper's reference does it (a FULL SVD of the dense residual every
step and a FULL refit: K = (U^T U) o (V V^T) formed and Cholesky-factored from scratch).
Written from ../../../shared/TSVD.md, not copied. float64 throughout.

usage: reference.py matrix.npy [--tol 0.01] [--cos-thresh 0.8386] [--steps 20] [--max-rank N]
prints one JSON line: rank, error, frobeniusError, sparsity, nnzU, nnzV, seconds, steps.
"""
import argparse
import json
import math
import time

import numpy as np
import torch


def ternary_policy(a, c):
    """Rows of a -> ternary rows: keep the j largest |a| as sign(a) (0 -> +1)."""
    mags = a.abs()
    srt, _ = torch.sort(mags, dim=1, descending=True)
    if c <= 0:
        thr = torch.zeros(a.shape[0], 1, dtype=a.dtype)
    else:
        j = torch.arange(1, a.shape[1] + 1, dtype=a.dtype)
        norm = a.norm(dim=1, keepdim=True)
        score = torch.cumsum(srt, dim=1) / torch.sqrt(j) / norm
        reach = score >= c
        first = torch.where(reach.any(dim=1), reach.to(torch.int64).argmax(dim=1), score.argmax(dim=1))
        thr = srt.gather(1, first[:, None])
    sign = torch.where(a < 0, -1.0, 1.0).to(a.dtype)
    return sign * (mags >= thr).to(a.dtype)


def refit(A, U, V):
    K = (U.T @ U) * (V @ V.T)
    b = ((U.T @ A) * V).sum(dim=1)
    rms = torch.sqrt((K * K).mean())
    K = K + 1e-5 * rms * torch.eye(K.shape[0], dtype=K.dtype)
    L = torch.linalg.cholesky(K)
    return torch.cholesky_solve(b[:, None], L)[:, 0]


def tsvd(A, tol, c, steps, max_rank):
    transposed = A.shape[0] > A.shape[1]
    if transposed:
        A = A.T.contiguous()
    m, n = A.shape
    k = max(1, math.floor(m * n / (m + n) / steps))
    sref = torch.linalg.matrix_norm(A, 2)
    U = torch.zeros(m, 0, dtype=A.dtype)
    V = torch.zeros(0, n, dtype=A.dtype)
    s = torch.zeros(0, dtype=A.dtype)
    R = A
    nsteps = 0
    reached = False
    while True:
        Ur, S, Vh = torch.linalg.svd(R, full_matrices=False)
        if S[0] / sref < tol:
            break
        kk = min(k, max_rank - U.shape[1])
        if kk <= 0:
            reached = True
            break
        U = torch.cat([U, ternary_policy(Ur[:, :kk].T, c).T], dim=1)
        V = torch.cat([V, ternary_policy(Vh[:kk], c)], dim=0)
        s = refit(A, U, V)
        R = A - (U * s) @ V
        nsteps += 1
    err = (torch.linalg.matrix_norm(R, 2) / sref).item()
    frob = (R.norm() / A.norm()).item()
    if transposed:
        U, V = V.T, U.T
    return U, s, V, err, frob, nsteps, reached


def main():
    p = argparse.ArgumentParser()
    p.add_argument('matrix')
    p.add_argument('--tol', type=float, default=0.01)
    p.add_argument('--cos-thresh', type=float, default=0.8386)
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--max-rank', type=int, default=1 << 62)
    p.add_argument('--threads', type=int, default=0)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    A = torch.from_numpy(np.load(a.matrix).astype(np.float64))
    t0 = time.perf_counter()
    U, s, V, err, frob, nsteps, reached = tsvd(A, a.tol, a.cos_thresh, a.steps, a.max_rank)
    secs = time.perf_counter() - t0
    r = s.shape[0]
    nnzU = int((U != 0).sum())
    nnzV = int((V != 0).sum())
    entries = r * (A.shape[0] + A.shape[1])
    print(json.dumps({
        'rank': r, 'error': err, 'frobeniusError': frob,
        'sparsity': 1 - (nnzU + nnzV) / entries if entries else 0,
        'nnzU': nnzU, 'nnzV': nnzV, 'seconds': secs, 'steps': nsteps, 'reachedMaxRank': reached,
        'threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
