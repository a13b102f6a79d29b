/**
 * Diagnostic codes of the IR text form (TSVDC001-099): one per distinct kind of
 * lexical, syntactic or load-time (name resolution, payload) error. Stable: tests and
 * users match on them, so a code is never reused for another meaning.
 */
export const TEXT_CODES = {
  /** A character that starts no token. */
  unexpectedChar: 'TSVDC001',
  /** A string literal without its closing quote, or with a bad escape. */
  badString: 'TSVDC002',
  /** The parser found a token other than what the grammar allows here. */
  unexpectedToken: 'TSVDC003',
  /** An op name that is not in the op table (ops.ts). */
  unknownOp: 'TSVDC004',
  /** An attribute the op's schema does not have. */
  unknownAttr: 'TSVDC005',
  /** An attribute written twice on one node. */
  duplicateAttr: 'TSVDC006',
  /** An attribute value of the wrong form for its kind (e.g. a list where an integer is due). */
  badAttrValue: 'TSVDC007',
  /** A value name defined twice (module input, node output or declaration). */
  duplicateValue: 'TSVDC008',
  /** A use of a value that is not defined before it. */
  undefinedValue: 'TSVDC009',
  /** A constant defined twice. */
  duplicateConst: 'TSVDC010',
  /** A tree defined twice. */
  duplicateTree: 'TSVDC011',
  /** A reference to a constant or tree that does not exist. */
  undefinedRef: 'TSVDC012',
  /** A base64 payload with characters or padding outside RFC 4648. */
  badBase64: 'TSVDC013',
  /** A payload or list whose length does not match the declared shape. */
  badPayloadLength: 'TSVDC014',
  /** A number where an integer (or one in range) is required, or a malformed number. */
  badNumber: 'TSVDC015',
  /** A stage name that is not one of graph, ternary, addtree, integer, scheduled. */
  unknownStage: 'TSVDC016',
  /** A shape that a constant cannot have (dynamic or negative dimension, rank-0 ternary). */
  badShape: 'TSVDC017',
  /** A tree node line whose id is not the next one in sequence. */
  treeIdOutOfOrder: 'TSVDC018',
  /** A tree operand that refers to a node not defined before it. */
  treeForwardRef: 'TSVDC019',
  /** Tree output rows out of sequence, or fewer/more than the header declares. */
  treeOutputs: 'TSVDC020',
  /** Typed and untyped tree nodes mixed, or types without `frac` in the header (or the reverse). */
  treeTypes: 'TSVDC021',
  /** A tree node op other than in, add, sub, neg. */
  unknownTreeOp: 'TSVDC022',
  /** A `loc(...)` field that Origin does not have, given twice, or of the wrong form. */
  badLoc: 'TSVDC023',
  /** A node whose list of output types is not as long as its list of outputs. */
  typeCount: 'TSVDC024',
  /** A list value that a ternary constant cannot hold (not -1, 0 or 1) or an int constant element that is not an integer. */
  badElement: 'TSVDC025',
} as const;

export type TextCode = (typeof TEXT_CODES)[keyof typeof TEXT_CODES];
