/**
 * The ternary policy of TSVD.md: keep the j largest magnitudes of `a` as sign(a),
 * where j is the smallest count whose cosine with `a` reaches `cosThresh`, or the
 * count of largest cosine if none does. The cosine of keeping the j largest is
 * c_j / (sqrt(j) ||a||), c_j the sum of the j largest magnitudes (for a unit
 * vector, c_j / sqrt(j) as TSVD.md writes it; dividing by ||a|| makes the policy
 * independent of scale). Ties at the j-th magnitude are all kept; sign(0) is +1.
 * A magnitude within a relative TIE_TOL of the j-th counts as tied: computed
 * singular vectors carry rounding noise, and entries that are equal in exact
 * arithmetic (structured, e.g. already ternary, matrices) must not be split by it.
 */
const TIE_TOL = 1e-9;

export function ternaryPolicy(a: Float64Array, cosThresh: number): Int8Array {
  const n = a.length;
  const out = new Int8Array(n);
  if (n === 0) return out;
  const mags = new Float64Array(n);
  let norm2 = 0;
  for (let i = 0; i < n; i++) {
    mags[i] = Math.abs(a[i]!);
    norm2 += a[i]! * a[i]!;
  }
  let threshold = 0; // keep every entry (binary policy)
  if (cosThresh > 0) {
    const sorted = Float64Array.from(mags).sort(); // ascending; read from the end
    threshold = sorted[n - chooseCount(sorted, Math.sqrt(norm2), cosThresh)]! * (1 - TIE_TOL);
  }
  for (let i = 0; i < n; i++) {
    if (mags[i]! >= threshold) out[i] = a[i]! < 0 ? -1 : 1;
  }
  return out;
}

/** The j of the policy, given magnitudes sorted ascending. */
function chooseCount(sortedAsc: Float64Array, norm: number, cosThresh: number): number {
  const n = sortedAsc.length;
  let c = 0;
  let best = -Infinity;
  let bestJ = 1;
  for (let j = 1; j <= n; j++) {
    c += sortedAsc[n - j]!;
    const score = norm > 0 ? c / (Math.sqrt(j) * norm) : 0;
    if (score >= cosThresh) return j;
    if (score > best) {
      best = score;
      bestJ = j;
    }
  }
  return bestJ;
}

