/** A seeded PRNG (mulberry32) for generators that must be reproducible from one integer. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  /** Approximately normal (sum of uniforms), mean 0, standard deviation `sd`. */
  normal(sd = 1): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * Math.sqrt(3) * sd;
  }
  /** Ternary values with P(0) = zeros. */
  trits(n: number, zeros = 0.4): Int8Array {
    const out = new Int8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.bool(zeros) ? 0 : this.bool() ? 1 : -1;
    return out;
  }
  floats(n: number, sd = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(sd);
    return out;
  }
}
