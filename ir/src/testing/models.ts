/**
 * Generators of VALID modules for property tests, at every stage: seeded builders
 * (randomModel, randomMlp, randomCnn) and fast-check arbitraries (arbModel, arbModule),
 * random inputs, and the pieces they are made of (ModuleBuilder, plans, row trees,
 * the TSVD conv-form factor shapes). `verify(m)` is empty for every generated module
 * (a property in verify/verify.test.ts).
 */
export { ModuleBuilder } from './models/builder.js';
export { Rng } from './models/rng.js';
export { cnnPlan, mlpPlan, type Plan, type ConvLayer, type DenseLayer, type Activation, type PlanOptions } from './models/plan.js';
export { convFactors, floatModule, type FloatOptions, type FloatStage } from './models/float.js';
export { integerModule, type IntegerOptions } from './models/integer.js';
export { scheduledModule } from './models/schedule.js';
export { outputInterval, treeOf, typedTree, type TreeStyle } from './models/trees.js';
export { arbModel, arbModule, randomCnn, randomInputs, randomMlp, randomModel, type GenOptions, type InputOptions, type ModelKind } from './models/arb.js';
