/**
 * The integer-stage interval analysis (intervals.ts) and its domain: per-channel integer
 * intervals of values (ranges.ts) and per-node intervals of add trees as each op evaluates
 * them (rows.ts). One analysis serves the verifier (declared types against it) and the
 * bit-widths pass (widths from it).
 */
export { analyzeIntervals, type IntervalAnalysis, type IntervalOptions, type OpIntervals } from './intervals.js';
export { fullRange, hull, joinLanes, ranges, type Ranges } from './ranges.js';
export { treeNodeRanges, treeUseRanges, type TreeUse } from './rows.js';
