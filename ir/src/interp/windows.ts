/**
 * Every linear stage in the IR (linear, conv2d, tmatvec, tconv, and the two halves of
 * tlinear / tconv2d) applies one matrix [rows, lanes] at many positions: each position
 * is a window of the input (lane l at inBase + laneOff[l]) and writes rows
 * group*rowsPerGroup .. +rowsPerGroup at outBase + r * outStride. Computing these
 * offsets once per op keeps the inner loops free of index arithmetic and closures.
 */
export interface Windows {
  readonly positions: number;
  readonly inBase: Int32Array;
  readonly outBase: Int32Array;
  readonly group: Int32Array;
  readonly rowsPerGroup: number;
  readonly laneOff: Int32Array;
  readonly outStride: number;
}

/** x [..., n] -> y [..., m]: one window per leading index, lanes contiguous. */
export function matrixWindows(positions: number, n: number, m: number): Windows {
  const inBase = new Int32Array(positions);
  const outBase = new Int32Array(positions);
  for (let p = 0; p < positions; p++) { inBase[p] = p * n; outBase[p] = p * m; }
  const laneOff = new Int32Array(n);
  for (let l = 0; l < n; l++) laneOff[l] = l;
  return { positions, inBase, outBase, group: new Int32Array(positions), rowsPerGroup: m, laneOff, outStride: 1 };
}

export interface ConvGeometry {
  /** Input (already padded) [N, C, H, W]. */
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly cout: number;
  readonly groups: number;
  readonly k: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
}

/** Output spatial size of a conv over an already padded input. */
export function convOut(g: ConvGeometry): [number, number] {
  return [
    Math.floor((g.h - g.dilations[0] * (g.k[0] - 1) - 1) / g.strides[0]) + 1,
    Math.floor((g.w - g.dilations[1] * (g.k[1] - 1) - 1) / g.strides[1]) + 1,
  ];
}

/** Conv windows: lanes ordered (channel within group, kh, kw), as the weight rows [Cout, C/G, K1, K2]. */
export function convWindows(g: ConvGeometry): Windows {
  const [oh, ow] = convOut(g);
  const cinG = g.c / g.groups;
  const coutG = g.cout / g.groups;
  const positions = g.n * g.groups * oh * ow;
  const inBase = new Int32Array(positions);
  const outBase = new Int32Array(positions);
  const group = new Int32Array(positions);
  let p = 0;
  for (let b = 0; b < g.n; b++) {
    for (let gi = 0; gi < g.groups; gi++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++, p++) {
          inBase[p] = ((b * g.c + gi * cinG) * g.h + y * g.strides[0]) * g.w + x * g.strides[1];
          outBase[p] = ((b * g.cout + gi * coutG) * oh + y) * ow + x;
          group[p] = gi;
        }
      }
    }
  }
  const [k1, k2] = g.k;
  const laneOff = new Int32Array(cinG * k1 * k2);
  for (let ci = 0; ci < cinG; ci++) {
    for (let a = 0; a < k1; a++) {
      for (let b = 0; b < k2; b++) laneOff[(ci * k1 + a) * k2 + b] = (ci * g.h + a * g.dilations[0]) * g.w + b * g.dilations[1];
    }
  }
  return { positions, inBase, outBase, group, rowsPerGroup: coutG, laneOff, outStride: oh * ow };
}

/**
 * Zero padding of H and W (pads [top, left, bottom, right]); `value` fills the border.
 * Returns the input itself when there is nothing to pad.
 */
export function padNCHW(x: Float64Array, shape: readonly number[], pads: readonly number[], value = 0): { data: Float64Array; shape: number[] } {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [t, l, b, r] = pads as [number, number, number, number];
  if (t === 0 && l === 0 && b === 0 && r === 0) return { data: x, shape: [n, c, h, w] };
  const [hp, wp] = [h + t + b, w + l + r];
  const out = new Float64Array(n * c * hp * wp);
  if (value !== 0) out.fill(value);
  for (let i = 0; i < n * c; i++) {
    for (let y = 0; y < h; y++) out.set(x.subarray((i * h + y) * w, (i * h + y + 1) * w), (i * hp + y + t) * wp + l);
  }
  return { data: out, shape: [n, c, hp, wp] };
}
