export * from './diagnostics.js';
export * from './origin.js';
export * from './fixed.js';
export * from './ternary.js';
export * from './tensor.js';
export * from './addtree.js';
export * from './module.js';
export * from './ops.js';
