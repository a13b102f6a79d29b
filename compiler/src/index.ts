export {};
export * from './tsvd/index.js';
export * from './tsvd/conv.js';
export { convWeightFromFactors, type ConvForm, type ConvFactors, type StageGeometry } from './tsvd/conv-forms.js';
export * from './tsvd/retransition.js';
