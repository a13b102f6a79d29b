/**
 * The quantization lines of the `tsvdc compile` report: the error bound of every output,
 * and, when calibration clipped values (percentile), how many per layer, because the
 * bound assumes every float value at a saturating op lies within its range.
 */
import type { QuantBound } from '../quant/error-bound.js';

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toPrecision(3)}%`;

/** Clipped calibration values per layer (in first-seen order; layers that clip nothing left out) and overall. */
export function clippingByLayer(bound: QuantBound): { layers: Array<{ layer: string; clipped: number; total: number }>; clipped: number; total: number } {
  const by = new Map<string, { layer: string; clipped: number; total: number }>();
  let [clipped, total] = [0, 0];
  for (const c of bound.clipping) {
    const row = by.get(c.layer) ?? { layer: c.layer, clipped: 0, total: 0 };
    by.set(c.layer, { layer: c.layer, clipped: row.clipped + c.clipped, total: row.total + c.total });
    clipped += c.clipped;
    total += c.total;
  }
  return { layers: [...by.values()].filter((r) => r.clipped > 0), clipped, total };
}

export function formatQuantReport(bound: QuantBound): string[] {
  const clip = clippingByLayer(bound);
  const lines: string[] = [];
  if (clip.clipped > 0) {
    lines.push(`calibration clipped ${clip.clipped} of ${clip.total} values at saturating ops (${percent(clip.clipped, clip.total)}); per layer:`);
    const width = Math.max(...clip.layers.map((r) => r.layer.length));
    for (const r of clip.layers) lines.push(`  ${r.layer.padEnd(width)}  ${r.clipped} of ${r.total} (${percent(r.clipped, r.total)})`);
  }
  const holds = clip.clipped > 0
    ? 'holds only for inputs within the calibrated ranges, which the clipped calibration values are not'
    : 'holds for inputs within the calibrated ranges';
  for (const [v, b] of bound.outputs) lines.push(`quantization error bound on %${v}: ${Math.max(...b).toPrecision(3)} (max over channels; ${holds})`);
  return lines;
}
