/** The TSVD transition: ternary U, scales s, ternary V for a dense matrix. */
export * from './types.js';
export { TSVD_CODES } from './codes.js';
export { decompose, ERROR_CHECK_TOL } from './decompose.js';
export { refitScales } from './refit.js';
export { ternaryPolicy } from './policy.js';
export { factorCost } from './factors.js';
