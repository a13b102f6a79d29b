/**
 * Verifier codes (TSVDC100-199): one code per invariant, so a diagnostic says exactly
 * which rule broke. Each literal appears once in this file (checked in verify/).
 */

/** Structure and SSA. */
export const VALUE_REDEFINED = 'TSVDC100'; // a value is defined twice (input or node output)
export const VALUE_UNDEFINED = 'TSVDC101'; // a node reads a value not defined before it
export const VALUE_UNTYPED = 'TSVDC102'; // a module input or node output has no type in `values`
export const OUTPUT_UNDEFINED = 'TSVDC103'; // a module output is never defined

/** Ops and attributes. */
export const OP_UNKNOWN = 'TSVDC104'; // op not in ops.ts
export const OP_STAGE = 'TSVDC105'; // op not allowed at the stage (ops.ts `stages`)
export const OP_ARITY = 'TSVDC106'; // wrong number of inputs
export const OP_RESULTS = 'TSVDC107'; // wrong number of outputs
export const ATTR_MISSING = 'TSVDC108'; // a required attribute is absent
export const ATTR_UNKNOWN = 'TSVDC109'; // an attribute the op's schema does not have
export const ATTR_MALFORMED = 'TSVDC110'; // attribute value of the wrong form (checkAttr)
export const ATTR_RANGE = 'TSVDC111'; // attribute value out of its range (strides < 1, pads < 0, ...)

/** References to constants and trees, and how ops use them. */
export const CONST_MISSING = 'TSVDC112'; // a const attribute names no constant
export const CONST_KIND = 'TSVDC113'; // constant of the wrong kind (ternary / dense / int)
export const TREE_MISSING = 'TSVDC114'; // a tree attribute names no tree
export const CONST_USE_SHAPE = 'TSVDC115'; // bias / scale / multiplier length does not fit its use

/** Types. */
export const INFER_FAILED = 'TSVDC116'; // inputs do not fit the op (shape inference refused)
export const SHAPE_MISMATCH = 'TSVDC117'; // declared output shape differs from the inferred one
export const ELEM_MISMATCH = 'TSVDC118'; // declared output element type differs from the inferred one

/** Constants. */
export const CONST_NONFINITE = 'TSVDC120'; // NaN or Inf in a dense constant
export const CONST_NONINTEGRAL = 'TSVDC121'; // an int constant holds a non-integer or unsafe value
export const TERNARY_BAD_CODE = 'TSVDC122'; // packed code 0b10 in a ternary tensor
export const TERNARY_PADDING = 'TSVDC123'; // non-zero padding bits after the last column of a row
export const SHAPE_NONPOSITIVE = 'TSVDC124'; // a dimension < 1 (value shapes may use -1, dynamic)
export const CONST_LAYOUT = 'TSVDC125'; // data length / packed layout disagrees with the shape

/** Add trees. */
export const TREE_ARRAYS = 'TSVDC130'; // arrays of the wrong length, or an unknown opcode
export const TREE_OPERAND = 'TSVDC131'; // operand not an earlier node (ids must be topological)
export const TREE_LANE = 'TSVDC132'; // `in` node reads a lane outside 0..lanes-1
export const TREE_OUTPUT = 'TSVDC133'; // output row points outside -1..size-1
export const TREE_MAP = 'TSVDC134'; // the tree does not compute the op's ternary weights
export const TREE_NOT_INTERNED = 'TSVDC135'; // two nodes are one (same op and operands, same lane), or an add's operands are not ordered a <= b

/** Stage rules. */
export const FIXED_AT_FLOAT_STAGE = 'TSVDC140'; // fixed-point value before the integer stage
export const FLOAT_OP_ON_FIXED = 'TSVDC141'; // a float-only op applied to a fixed-point tensor
export const FIXED_OP_ON_FLOAT = 'TSVDC142'; // a fixed-point op applied to a float tensor
export const MIXED_OPERANDS = 'TSVDC143'; // operands of add / mul / concat of incompatible types
export const FRAC_MISMATCH = 'TSVDC144'; // result frac does not follow from the operands' fracs
export const WIDTH_RANGE = 'TSVDC145'; // fixed width outside 1..MAX_WIDTH
export const TREE_UNTYPED = 'TSVDC146'; // a tree on fixed-point data has no `types`
export const TREE_FRAC = 'TSVDC147'; // tree `types.frac` differs from its input's frac

/** Interval analysis (integer stage). */
export const TREE_INTERVAL = 'TSVDC148'; // a node can take values outside its declared [lo, hi]
export const TREE_WIDTH = 'TSVDC149'; // a node's declared [lo, hi] does not fit its width
export const RESULT_OVERFLOW = 'TSVDC150'; // an op's result range does not fit its fixed type
export const PRODUCT_OVERFLOW = 'TSVDC151'; // requant's untyped product can exceed MAX_WIDTH bits

/** Schedules (scheduled stage). */
export const SCHEDULE_MISSING = 'TSVDC160'; // a tmatvec / tconv without `arch` at the scheduled stage
export const SCHEDULE_ARCH = 'TSVDC161'; // `arch` is neither 'spatial' nor 'folded'
export const SCHEDULE_PARAMS = 'TSVDC162'; // schedule attributes inconsistent with the arch
export const SCHEDULE_RANGE = 'TSVDC163'; // pe / simd / regEvery outside their range
