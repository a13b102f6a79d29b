#!/usr/bin/env bash
# The main job on the built-in example: a Fashion-MNIST MLP (fixtures/, exported from PyTorch)
# is compressed with Ternary SVD, reported, and compiled to the integer add-tree IR.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/demo}
tsvdc() { echo; echo "\$ tsvdc $*"; node compiler/dist/cli/main.js "$@"; }
calib=()
if [ -d /usr/share/datasets/fashion-mnist ]; then
  calib=(--calib-data /usr/share/datasets/fashion-mnist --calib-norm 0.5,0.5)
fi
tsvdc compress fixtures/fashion/fashion_mlp.onnx -o "$out/fashion_mlp.tsvd.onnx" --tol 0.01 --json "$out/compress.json"
tsvdc report "$out/fashion_mlp.tsvd.onnx" --original fixtures/fashion/fashion_mlp.onnx
tsvdc compile "$out/fashion_mlp.tsvd.onnx" --target ir -o "$out" "${calib[@]}"
tsvdc ir check "$out/fashion_mlp.tsvd.tir"
