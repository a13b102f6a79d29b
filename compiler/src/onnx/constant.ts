/**
 * Constant nodes as tensors. Paddle and older PyTorch exporters put weights in
 * Constant nodes instead of initializers; opset 12 added scalar/list attributes
 * (value_float, value_ints, ...) besides the tensor `value`.
 */
import { TsvdcError, type Origin } from '@tsvdc/ir';
import { ONNX_CODES } from './codes.js';
import { DTYPE, type NodeProto, type TensorProto } from './proto.js';

function tensor(name: string, dims: number[], dataType: number, field: Partial<TensorProto>): TensorProto {
  return {
    name, dims, dataType, floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [],
    stringData: [], externalData: [], ...field,
  };
}

/** The tensor a Constant node outputs (named after the output value). */
export function constantNodeTensor(n: NodeProto, origin: Origin): TensorProto {
  const name = n.output[0]!;
  if (n.attribute.length !== 1) {
    throw new TsvdcError(ONNX_CODES.badAttribute, `Constant needs exactly one value attribute, got ${n.attribute.length}`, origin);
  }
  const a = n.attribute[0]!;
  switch (a.name) {
    case 'value':
      if (!a.t) throw new TsvdcError(ONNX_CODES.badAttribute, 'Constant attribute value holds no tensor', origin);
      return { ...a.t, name };
    case 'value_float': return tensor(name, [], DTYPE.FLOAT, { floatData: [a.f ?? 0] });
    case 'value_floats': return tensor(name, [a.floats.length], DTYPE.FLOAT, { floatData: a.floats });
    case 'value_int': return tensor(name, [], DTYPE.INT64, { int64Data: [a.i ?? 0] });
    case 'value_ints': return tensor(name, [a.ints.length], DTYPE.INT64, { int64Data: a.ints });
    default:
      throw new TsvdcError(ONNX_CODES.badDtype, `Constant attribute ${a.name ?? '(unnamed)'} is not supported (tsvdc reads numeric tensors)`, origin);
  }
}
