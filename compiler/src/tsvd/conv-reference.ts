/**
 * Dense float64 reference convolutions (NCHW, ONNX semantics): the executable
 * definition the conv TSVD forms are tested against, and what a caller can use to
 * check a compressed layer. Written for clarity, not speed (direct loops).
 *
 * Conv weight: [M, C/G, K1, K2]. ConvTranspose weight: [C, M/G, K1, K2] (ONNX).
 * Pads are ONNX order [top, left, bottom, right].
 */
import type { TernaryTensor } from '@tsvdc/ir';
import { convOutSize, convTransposeOutSize, invariant, ternaryToInt8 } from '@tsvdc/ir';

/** A dense NCHW activation or a conv weight (row-major). */
export interface Tensor4 {
  readonly shape: readonly [number, number, number, number];
  readonly data: Float64Array;
}

/** Geometry of a conv or conv-transpose; missing fields take the ONNX defaults. */
export interface ConvAttrs {
  readonly groups?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  /** ConvTranspose only: extra rows/columns at the bottom/right of the output. */
  readonly outputPadding?: readonly number[];
}

interface Resolved {
  g: number;
  s: readonly number[];
  d: readonly number[];
  p: readonly number[];
  op: readonly number[];
}

function resolve(a: ConvAttrs): Resolved {
  return {
    g: a.groups ?? 1,
    s: a.strides ?? [1, 1],
    d: a.dilations ?? [1, 1],
    p: a.pads ?? [0, 0, 0, 0],
    op: a.outputPadding ?? [0, 0],
  };
}

export function tensor4(shape: readonly [number, number, number, number], data?: Float64Array): Tensor4 {
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  invariant(!data || data.length === n, `tensor4: ${data?.length} values for [${shape}]`);
  return { shape: [...shape] as [number, number, number, number], data: data ?? new Float64Array(n) };
}

/** Zero padding of H and W by [top, left, bottom, right] (negative values crop). */
export function pad2d(x: Tensor4, pads: readonly number[]): Tensor4 {
  const [n, c, h, w] = x.shape;
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  const ho = h + pt + pb;
  const wo = w + pl + pr;
  const out = tensor4([n, c, ho, wo]);
  for (let b = 0; b < n * c; b++) {
    for (let i = 0; i < ho; i++) {
      const si = i - pt;
      if (si < 0 || si >= h) continue;
      for (let j = 0; j < wo; j++) {
        const sj = j - pl;
        if (sj >= 0 && sj < w) out.data[(b * ho + i) * wo + j] = x.data[(b * h + si) * w + sj]!;
      }
    }
  }
  return out;
}

/** y[:, c] = x[:, c] * s[c]. */
export function scaleChannels(x: Tensor4, s: ArrayLike<number>): Tensor4 {
  const [n, c, h, w] = x.shape;
  invariant(s.length === c, `scaleChannels: ${s.length} scales for ${c} channels`);
  const out = tensor4(x.shape);
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * hw;
      for (let k = 0; k < hw; k++) out.data[base + k] = x.data[base + k]! * s[ch]!;
    }
  }
  return out;
}

/** ONNX Conv without bias. */
export function conv2dRef(x: Tensor4, w: Tensor4, attrs: ConvAttrs = {}): Tensor4 {
  const { g, s, d, p } = resolve(attrs);
  const [n, c, h, wd] = x.shape;
  const [m, cg, k1, k2] = w.shape;
  invariant(c === cg * g && m % g === 0, `conv2dRef: input [${x.shape}], weight [${w.shape}], groups ${g}`);
  const ho = convOutSize(h, k1, s[0]!, d[0]!, p[0]!, p[2]!);
  const wo = convOutSize(wd, k2, s[1]!, d[1]!, p[1]!, p[3]!);
  const out = tensor4([n, m, ho, wo]);
  const mg = m / g;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < m; o++) {
      const c0 = Math.floor(o / mg) * cg;
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          let acc = 0;
          for (let ci = 0; ci < cg; ci++) {
            for (let a = 0; a < k1; a++) {
              const y = i * s[0]! + a * d[0]! - p[0]!;
              if (y < 0 || y >= h) continue;
              for (let e = 0; e < k2; e++) {
                const xx = j * s[1]! + e * d[1]! - p[1]!;
                if (xx < 0 || xx >= wd) continue;
                acc += w.data[((o * cg + ci) * k1 + a) * k2 + e]! * x.data[((b * c + c0 + ci) * h + y) * wd + xx]!;
              }
            }
          }
          out.data[((b * m + o) * ho + i) * wo + j] = acc;
        }
      }
    }
  }
  return out;
}

/**
 * ONNX ConvTranspose without bias: every input pixel scatters its kernel into the
 * full output, which is then extended by outputPadding and cropped by pads.
 */
export function convTranspose2dRef(x: Tensor4, w: Tensor4, attrs: ConvAttrs = {}): Tensor4 {
  const { g, s, d, p, op } = resolve(attrs);
  const [n, c, h, wd] = x.shape;
  const [cw, mg, k1, k2] = w.shape;
  invariant(c === cw && c % g === 0, `convTranspose2dRef: input [${x.shape}], weight [${w.shape}], groups ${g}`);
  const m = mg * g;
  const cg = c / g;
  const ho = convTransposeOutSize(h, k1, s[0]!, d[0]!, p[0]!, p[2]!, op[0]!);
  const wo = convTransposeOutSize(wd, k2, s[1]!, d[1]!, p[1]!, p[3]!, op[1]!);
  const out = tensor4([n, m, ho, wo]);
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < c; ci++) {
      const o0 = Math.floor(ci / cg) * mg;
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < wd; j++) {
          const v = x.data[((b * c + ci) * h + i) * wd + j]!;
          if (v === 0) continue;
          for (let ol = 0; ol < mg; ol++) {
            for (let a = 0; a < k1; a++) {
              const y = i * s[0]! + a * d[0]! - p[0]!;
              if (y < 0 || y >= ho) continue;
              for (let e = 0; e < k2; e++) {
                const xx = j * s[1]! + e * d[1]! - p[1]!;
                if (xx < 0 || xx >= wo) continue;
                out.data[((b * m + o0 + ol) * ho + y) * wo + xx] += v * w.data[((ci * mg + ol) * k1 + a) * k2 + e]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** Unpacks a ternary conv weight to a dense tensor. */
export function ternaryConvWeight(t: TernaryTensor): Tensor4 {
  invariant(t.shape.length === 4, `ternaryConvWeight: shape [${t.shape}] is not rank 4`);
  return tensor4(t.shape as [number, number, number, number], Float64Array.from(ternaryToInt8(t)));
}

/** The factors and geometry of a compressed conv (what `tconv2d` carries). */
export interface TernaryConvLayer {
  readonly U: TernaryTensor;
  readonly s: ArrayLike<number>;
  readonly V: TernaryTensor;
  readonly groups: number;
  readonly pads: readonly number[];
  readonly vStrides: readonly number[];
  readonly vDilations: readonly number[];
  readonly uStrides: readonly number[];
  readonly uDilations: readonly number[];
  readonly outputPadding?: readonly number[];
}

/** `tconv2d` without bias: pad(x) -> conv(V) -> * s per channel -> conv(U). */
export function ternaryConvRef(x: Tensor4, l: TernaryConvLayer): Tensor4 {
  const t = conv2dRef(pad2d(x, l.pads), ternaryConvWeight(l.V), { groups: l.groups, strides: l.vStrides, dilations: l.vDilations });
  return conv2dRef(scaleChannels(t, l.s), ternaryConvWeight(l.U), { groups: l.groups, strides: l.uStrides, dilations: l.uDilations });
}

/**
 * A compressed ConvTranspose without bias: the adjoint of the compressed conv,
 * stage by stage: ConvTranspose(U, uStrides, uDilations, no pads) -> * s per
 * channel -> ConvTranspose(V, vStrides, vDilations, pads, outputPadding).
 */
export function ternaryConvTransposeRef(x: Tensor4, l: TernaryConvLayer): Tensor4 {
  const t = convTranspose2dRef(x, ternaryConvWeight(l.U), { groups: l.groups, strides: l.uStrides, dilations: l.uDilations });
  return convTranspose2dRef(scaleChannels(t, l.s), ternaryConvWeight(l.V), {
    groups: l.groups, strides: l.vStrides, dilations: l.vDilations, pads: l.pads, outputPadding: l.outputPadding ?? [0, 0],
  });
}
