/** The op table of the interpreter: one kernel per op of ops.ts (a test checks none is missing). */
import type { Kernel } from './context.js';
import { convtranspose2d } from './convtranspose.js';
import { add, bias, clip, identity, layernorm, mul, relu, scale, sigmoid, softmax, tanh } from './elementwise.js';
import { conv2d, linear, tconv, tconv2d, tlinear, tmatvec } from './linear.js';
import { avgpool2d, globalavgpool, maxpool2d } from './pool.js';
import { clamp, dequantize, mulconst, quantize, requant, shrround } from './quant.js';
import { concat, flatten, pad, reshape, transpose } from './shape.js';

export const KERNELS: Readonly<Record<string, Kernel>> = {
  linear, conv2d, convtranspose2d, tlinear, tconv2d, tmatvec, tconv,
  scale, bias, pad,
  quantize, dequantize, mulconst, shrround, requant, clamp,
  relu, sigmoid, tanh, clip, add, mul, layernorm, softmax,
  maxpool2d, avgpool2d, globalavgpool,
  flatten, reshape, transpose, concat, identity,
};
