/** Training and dataset diagnostics (TSVDC390-399, a slice of the TSVD range). */
export const TRAIN_CODES = {
  /** A dataset file is not a valid IDX file (magic, type, truncated data). */
  badIdx: 'TSVDC390',
  /** Images and labels of a dataset do not match (count, shape). */
  datasetMismatch: 'TSVDC391',
} as const;
