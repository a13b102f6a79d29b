#!/usr/bin/python3
"""Writes the largest 2-D Gemm/MatMul weight (an initializer) of an ONNX model as a
float64 .npy, for bench/tsvd. usage: extract_onnx.py model.onnx out.npy
prints one JSON line: node, initializer, shape."""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    model = onnx.load(sys.argv[1])
    inits = {i.name: i for i in model.graph.initializer}
    best = None
    for node in model.graph.node:
        if node.op_type not in ('Gemm', 'MatMul'):
            continue
        for name in node.input:
            if name in inits and len(inits[name].dims) == 2:
                size = int(np.prod(inits[name].dims))
                if best is None or size > best[0]:
                    best = (size, node.name, name)
    if best is None:
        sys.exit(f'{sys.argv[1]}: no 2-D Gemm/MatMul weight')
    w = numpy_helper.to_array(inits[best[2]]).astype(np.float64)
    np.save(sys.argv[2], w)
    print(json.dumps({'node': best[1], 'initializer': best[2], 'shape': list(w.shape)}))


if __name__ == '__main__':
    main()
