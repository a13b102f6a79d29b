/**
 * Eigen-decomposition of a dense symmetric matrix: Householder reduction to
 * tridiagonal form, then the implicit QL method with Wilkinson-style shifts
 * (the classical tred2/tql2 pair), about 5 n^3 flops with vectors instead of the
 * ~70 n^3 of cyclic Jacobi. Rayleigh-Ritz steps of the block Krylov solver call
 * this once per TSVD step on matrices of a few hundred rows at most.
 */

/**
 * Eigenvalues in descending order and eigenvectors as the COLUMNS of `vectors`
 * (n x n row-major), same order. `S` (n x n row-major, symmetric) is not modified.
 */
export function symmetricEigen(S: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const z = Float64Array.from(S.subarray(0, n * n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(z, d, e, n);
  tql2(z, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    for (let i = 0; i < n; i++) vectors[i * n + dst] = z[i * n + src]!;
  });
  return { values, vectors };
}

/** Householder tridiagonalization; z becomes the accumulated orthogonal transform. */
function tred2(z: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const zi = i * n;
    let h = 0;
    let scale = 0;
    if (l > 0) {
      for (let k = 0; k < i; k++) scale += Math.abs(z[zi + k]!);
      if (scale === 0) e[i] = z[zi + l]!;
      else {
        for (let k = 0; k < i; k++) {
          z[zi + k]! /= scale;
          h += z[zi + k]! * z[zi + k]!;
        }
        let f = z[zi + l]!;
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        z[zi + l] = f - g;
        f = 0;
        for (let j = 0; j < i; j++) {
          z[j * n + i] = z[zi + j]! / h;
          g = 0;
          for (let k = 0; k <= j; k++) g += z[j * n + k]! * z[zi + k]!;
          for (let k = j + 1; k < i; k++) g += z[k * n + j]! * z[zi + k]!;
          e[j] = g / h;
          f += e[j]! * z[zi + j]!;
        }
        const hh = f / (h + h);
        for (let j = 0; j < i; j++) {
          f = z[zi + j]!;
          g = e[j]! - hh * f;
          e[j] = g;
          const zj = j * n;
          for (let k = 0; k <= j; k++) z[zj + k]! -= f * e[k]! + g * z[zi + k]!;
        }
      }
    } else e[i] = z[zi + l]!;
    d[i] = h;
  }
  d[0] = 0;
  e[0] = 0;
  for (let i = 0; i < n; i++) {
    const zi = i * n;
    if (d[i] !== 0) {
      for (let j = 0; j < i; j++) {
        let g = 0;
        for (let k = 0; k < i; k++) g += z[zi + k]! * z[k * n + j]!;
        for (let k = 0; k < i; k++) z[k * n + j]! -= g * z[k * n + i]!;
      }
    }
    d[i] = z[zi + i]!;
    z[zi + i] = 1;
    for (let j = 0; j < i; j++) {
      z[j * n + i] = 0;
      z[zi + j] = 0;
    }
  }
}

/** Implicit QL on the tridiagonal (d, e), rotating the columns of z along. */
function tql2(z: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter++ === 60) throw new Error('symmetricEigen: QL iteration did not converge');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i: number;
      for (i = m - 1; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < n; k++) {
          const kk = k * n;
          const fz = z[kk + i + 1]!;
          z[kk + i + 1] = s * z[kk + i]! + c * fz;
          z[kk + i] = c * z[kk + i]! - s * fz;
        }
      }
      if (r === 0 && i >= l) continue;
      d[l]! -= p;
      e[l] = g;
      e[m] = 0;
    } while (m !== l);
  }
}
