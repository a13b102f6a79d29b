/**
 * Constants: shapes positive and matching the data; dense data finite (a NaN or Inf
 * weight is an error, not a value); int data safe integers; ternary packing valid
 * (no 0b10 code, zero padding bits after the last column of each row).
 */
import type { Module } from '../module.js';
import type { DenseConst, IntConst } from '../tensor.js';
import { numel } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import * as C from './codes.js';
import { constOrigin, FirstOf, type Reporter } from './report.js';

/** Checks every constant; returns the names of those that are well formed. */
export function checkConsts(m: Module, r: Reporter): Set<string> {
  const ok = new Set<string>();
  for (const [name, c] of m.consts) {
    const origin = constOrigin(name);
    if (c.shape.length === 0 && c.kind === 'ternary') {
      r.add(C.SHAPE_NONPOSITIVE, `constant @${name}: a ternary tensor needs rank >= 1`, origin);
      continue;
    }
    if (c.shape.some((d) => !Number.isInteger(d) || d < 1)) {
      r.add(C.SHAPE_NONPOSITIVE, `constant @${name} has shape [${c.shape}]: dimensions must be >= 1`, origin);
      continue;
    }
    const good = c.kind === 'ternary' ? checkTernary(name, c, r) : checkNumeric(name, c, r);
    if (good) ok.add(name);
  }
  return ok;
}

function checkNumeric(name: string, c: DenseConst | IntConst, r: Reporter): boolean {
  const origin = constOrigin(name);
  if (c.data.length !== numel(c.shape)) {
    r.add(C.CONST_LAYOUT, `constant @${name} has ${c.data.length} values for shape [${c.shape}] (${numel(c.shape)})`, origin);
    return false;
  }
  const code = c.kind === 'dense' ? C.CONST_NONFINITE : C.CONST_NONINTEGRAL;
  const bad = new FirstOf(code);
  for (let i = 0; i < c.data.length; i++) {
    const v = c.data[i]!;
    const wrong = c.kind === 'dense' ? !Number.isFinite(v) : !Number.isSafeInteger(v);
    if (wrong) bad.hit(`constant @${name}[${i}] is ${v}: ${c.kind === 'dense' ? 'weights must be finite' : 'an int constant holds safe integers'}`, origin);
  }
  bad.flush(r);
  return true;
}

function checkTernary(name: string, t: TernaryTensor, r: Reporter): boolean {
  const origin = constOrigin(name);
  const rows = t.shape[0]!;
  const cols = numel(t.shape) / rows;
  const wpr = Math.ceil(cols / 16);
  if (t.rows !== rows || t.cols !== cols || t.wordsPerRow !== wpr || t.data.length !== rows * wpr) {
    r.add(C.CONST_LAYOUT,
      `ternary constant @${name}: shape [${t.shape}] needs ${rows} rows x ${wpr} words, got rows ${t.rows}, cols ${t.cols}, ${t.wordsPerRow} words per row, ${t.data.length} words`,
      origin);
    return false;
  }
  const badCode = new FirstOf(C.TERNARY_BAD_CODE);
  const padding = new FirstOf(C.TERNARY_PADDING);
  const tail = cols & 15; // entries used in the last word of a row (0: all 16)
  const padMask = tail === 0 ? 0 : (~0 << (2 * tail)) >>> 0;
  for (let i = 0; i < rows; i++) {
    for (let w = 0; w < wpr; w++) {
      const word = t.data[i * wpr + w]!;
      // code 0b10: high bit set, low bit clear
      const invalid = (word >>> 1) & ~word & 0x55555555;
      if (invalid !== 0) {
        const k = (31 - Math.clz32(invalid & -invalid)) >>> 1;
        badCode.hit(`ternary constant @${name} has the invalid code 0b10 at row ${i}, column ${w * 16 + k}`, { ...origin, row: i, col: w * 16 + k });
      }
      if (w === wpr - 1 && (word & padMask) !== 0) {
        padding.hit(`ternary constant @${name}: padding bits after column ${cols - 1} of row ${i} are not zero`, { ...origin, row: i });
      }
    }
  }
  badCode.flush(r);
  padding.flush(r);
  return true;
}
