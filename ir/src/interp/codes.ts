/**
 * Interpreter codes (TSVDC600-699): runtime failures. Each literal appears once here.
 */

/** Inputs. */
export const INPUT_MISSING = 'TSVDC600'; // a module input has no tensor
export const INPUT_SHAPE = 'TSVDC601'; // the tensor's shape differs from the declared one
export const INPUT_DATA = 'TSVDC602'; // data length differs from the shape's element count
export const INPUT_FIXED = 'TSVDC603'; // a fixed-point input holds a non-integer or out-of-range q

/** Exact mode: overflow is an error, never a silent wrap. */
export const TREE_NODE_OVERFLOW = 'TSVDC610'; // a tree node's value does not fit its width
export const TREE_NODE_INTERVAL = 'TSVDC611'; // a tree node's value is outside its declared interval
export const RESULT_OVERFLOW = 'TSVDC612'; // an op's result does not fit its fixed type
export const PRODUCT_OVERFLOW = 'TSVDC613'; // requant's product x * c exceeds MAX_WIDTH bits

/** Modules the interpreter cannot run (verify them first). */
export const OP_UNSUPPORTED = 'TSVDC690'; // an op without semantics here
export const MODULE_MALFORMED = 'TSVDC691'; // a missing value, constant or tree
