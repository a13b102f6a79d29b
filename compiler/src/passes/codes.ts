/** Diagnostics of the passes and the compile pipeline (TSVDC400-499). */
export const PASS_CODES = {
  /** A pass was given a module at a stage it does not accept. */
  wrongStage: 'TSVDC401',
  /** --print-after / --stop-after names no pass of the pipeline. */
  unknownPass: 'TSVDC402',
  /** --target names no registered target. */
  unknownTarget: 'TSVDC403',
  /** Quantization needs calibration inputs and got none, or inputs of the wrong shape. */
  badCalibration: 'TSVDC404',
  /** An op has no integer lowering (quantize cannot place it in the integer program). */
  notQuantizable: 'TSVDC405',
  /** A quantization option is out of range (bits, percentile, scale precision). */
  badQuantOption: 'TSVDC406',
  /** Interval analysis found a value that needs more than MAX_WIDTH bits. */
  tooWide: 'TSVDC407',
  /** The module is not valid after a pass (--verify-each). */
  verifyFailed: 'TSVDC408',
  /** A ternary layer cannot be lowered (unsupported shape or attribute). */
  notLowerable: 'TSVDC409',
  /** A balancing option is out of range. */
  badBalanceOption: 'TSVDC410',
  /** --print-after / --stop-after names a pass that does not run in the chosen mode. */
  passNotInMode: 'TSVDC411',
} as const;
