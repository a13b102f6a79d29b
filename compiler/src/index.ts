export {};
export * from './tsvd/index.js';
