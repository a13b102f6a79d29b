/**
 * The bucket queue of both sharing phases: per count level, a LIFO stack of signed
 * pairs (p < q, relative sign rel), each stored as two int32 (p, q * 2 + rel) in one
 * typed array per level. A pop reads the pair itself, not an id into side tables: a
 * lazy phase holds tens of millions of pairs, and a pop that chases an id into three
 * arrays misses the cache three times.
 */
export class PairBuckets {
  private readonly data: Int32Array[];
  private readonly len: Int32Array;
  /** The pair the last `pop` returned. */
  p = 0;
  qr = 0;

  constructor(maxLevel: number) {
    this.data = Array.from({ length: maxLevel + 1 }, () => new Int32Array(16));
    this.len = new Int32Array(maxLevel + 1);
  }

  /** Highest level, the largest count a pair can have. */
  get maxLevel(): number {
    return this.len.length - 1;
  }

  isEmpty(level: number): boolean {
    return this.len[level] === 0;
  }

  /** Pair (p, q) with relative sign rel, as p and qr = q * 2 + rel. */
  push(level: number, p: number, qr: number): void {
    let d = this.data[level]!;
    const n = this.len[level]!;
    if (n === d.length) {
      const next = new Int32Array(d.length * 2);
      next.set(d);
      this.data[level] = d = next;
    }
    d[n] = p;
    d[n + 1] = qr;
    this.len[level] = n + 2;
  }

  /** Takes the newest pair of a non-empty level into `p` and `qr`. */
  pop(level: number): void {
    const d = this.data[level]!;
    const n = this.len[level]! - 2;
    this.len[level] = n;
    this.p = d[n]!;
    this.qr = d[n + 1]!;
    // a drained level gives its memory back (levels are walked downwards, mostly once)
    if (n === 0 && d.length > 1024) this.data[level] = new Int32Array(16);
  }
}
