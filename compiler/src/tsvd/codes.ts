/** TSVD transition and .npy/.npz diagnostics (TSVDC300-399). */
export const TSVD_CODES = {
  /** .npy: the file does not start with the \x93NUMPY magic. */
  npyBadMagic: 'TSVDC301',
  /** .npy: the header dictionary cannot be parsed. */
  npyBadHeader: 'TSVDC302',
  /** .npy: dtype other than float32/float64 (any byte order). */
  npyUnsupportedDtype: 'TSVDC303',
  /** .npy: the array is not 2-D where a matrix is required. */
  npyWrongRank: 'TSVDC304',
  /** .npy: fewer data bytes than the shape needs. */
  npyTruncated: 'TSVDC305',
  /** A matrix holds NaN or Inf. */
  nonFinite: 'TSVDC306',
  /** .npz: not a readable zip archive, or a member is missing/unsupported. */
  npzBadArchive: 'TSVDC307',
  /** decompose: an option is out of range. */
  badOption: 'TSVDC310',
  /** decompose: warmStart factors do not match the matrix shape. */
  badWarmStart: 'TSVDC311',
  /** decompose/refit: matrix data length does not match rows x cols, or U/V shapes disagree. */
  badShape: 'TSVDC312',
} as const;
