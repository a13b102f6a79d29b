/**
 * The real models tests and benchmarks use: the Fashion-MNIST MLP and CNN committed
 * in fixtures/ (made by fixtures/make_fashion.py), and the pretrained wake-word
 * classifiers shipped in the `openwakeword-js` npm package, found through the
 * installed package (node_modules lookup), never copied. Test support only.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_DIR, loadImageSet } from '../../train/fashion-mnist.js';

/** The repository root (this file is compiler/src/onnx/testing/ or compiler/dist/onnx/testing/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const FASHION_MLP = join(REPO_ROOT, 'fixtures/fashion/fashion_mlp.onnx');
export const FASHION_CNN = join(REPO_ROOT, 'fixtures/fashion/fashion_cnn.onnx');

/** The folder of an installed npm package, by Node's lookup rules. */
export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  throw new Error(`npm package ${name} is not installed (npm ci installs it as a devDependency of @tsvdc/compiler)`);
}

/** The wake-word classifiers of openwakeword-js (*.onnx in its models folder). */
export function wakeWordModels(): string[] {
  const dir = join(packageDir('openwakeword-js'), 'models');
  return readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(dir, f));
}

/** Fashion-MNIST images normalized as make_fashion.py trained on ((x/255 - 0.5) / 0.5), NCHW. */
export function fashionTestSet(count?: number): { images: Float32Array; labels: Uint8Array; count: number } {
  const set = loadImageSet(FASHION_MNIST_DIR, 't10k');
  const n = Math.min(count ?? set.count, set.count);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = (set.images[i]! - 0.5) / 0.5;
  return { images, labels: set.labels.slice(0, n), count: n };
}
