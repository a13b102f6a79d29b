/** The TsvdcError importing a spec-built model throws (fails the test when none is thrown). Test support only. */
import { TsvdcError } from '@tsvdc/ir';
import { importOnnx } from '../import/index.js';
import { readModel } from '../read.js';
import { writeModel } from '../write.js';
import { buildModel, type ModelSpec } from './builder.js';

export function importError(spec: ModelSpec, file = 'bad.onnx'): TsvdcError {
  try {
    importOnnx(readModel(writeModel(buildModel(spec)), { file }));
  } catch (e) {
    if (e instanceof TsvdcError) return e;
    throw e;
  }
  throw new Error('expected a TsvdcError');
}
