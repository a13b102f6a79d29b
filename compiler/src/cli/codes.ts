/** CLI and file I/O diagnostics (TSVDC500-599). */
export const CLI_CODES = {
  /** An input file cannot be read (missing, permission). */
  fileUnreadable: 'TSVDC501',
  /** An output file cannot be written. */
  fileUnwritable: 'TSVDC502',
  /** A command-line option has an invalid value. */
  badOption: 'TSVDC503',
  /** `tsvdc ir fmt --check`: the file is not in canonical form. */
  notCanonical: 'TSVDC504',
} as const;
