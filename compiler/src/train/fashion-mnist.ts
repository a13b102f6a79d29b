/**
 * Fashion-MNIST from the Debian package `dataset-fashion-mnist`
 * (/usr/share/datasets/fashion-mnist): 60 000 training and 10 000 test images,
 * 28x28 grey levels, 10 classes.
 */
import { join } from 'node:path';
import { TsvdcError } from '@tsvdc/ir';
import { TRAIN_CODES } from './codes.js';
import { readIdxFile } from './idx.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/** Images as float32 in [0, 1], one row of `pixels` per image; labels 0..9. */
export interface ImageSet {
  readonly count: number;
  readonly pixels: number;
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/** Reads one split ('train' or 't10k') of an MNIST-layout directory. */
export function loadImageSet(dir: string, split: 'train' | 't10k'): ImageSet {
  const imgPath = join(dir, `${split}-images-idx3-ubyte.gz`);
  const lblPath = join(dir, `${split}-labels-idx1-ubyte.gz`);
  const img = readIdxFile(imgPath);
  const lbl = readIdxFile(lblPath);
  if (img.shape.length !== 3 || !(img.data instanceof Uint8Array)) {
    throw new TsvdcError(TRAIN_CODES.datasetMismatch, `${imgPath}: expected u8 images [n, h, w], got shape [${img.shape}]`, { file: imgPath });
  }
  if (lbl.shape.length !== 1 || lbl.shape[0] !== img.shape[0] || !(lbl.data instanceof Uint8Array)) {
    throw new TsvdcError(TRAIN_CODES.datasetMismatch, `${lblPath}: expected ${img.shape[0]} u8 labels, got shape [${lbl.shape}]`, { file: lblPath });
  }
  const count = img.shape[0]!;
  const pixels = img.shape[1]! * img.shape[2]!;
  const images = new Float32Array(count * pixels);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  return { count, pixels, images, labels: lbl.data };
}

export function loadFashionMnist(dir = FASHION_MNIST_DIR): { train: ImageSet; test: ImageSet } {
  return { train: loadImageSet(dir, 'train'), test: loadImageSet(dir, 't10k') };
}
