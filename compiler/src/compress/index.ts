/**
 * `compress` as a library call: select the layers, decompose them (worker pool),
 * write the TSVD forms back into a copy of the model, record them in metadata.
 * Operates on ONNX directly, so ops tsvdc cannot import pass through untouched.
 */
import { availableParallelism } from 'node:os';
import { importOnnxLenient, type LenientImport } from '../onnx/import/index.js';
import type { ModelProto } from '../onnx/proto.js';
import type { OnnxModel } from '../onnx/read.js';
import { readTsvdMeta, writeTsvdMeta, type CompressedLayer } from '../onnx/tsvd-meta.js';
import type { LayerResult, TsvdOptions } from './job.js';
import { runJobs, type PoolHooks } from './pool.js';
import { rewriteModel } from './rewrite.js';
import { selectLayers, type LayerSite, type SelectOptions, type Selection, type SkippedLayer } from './select.js';

export interface CompressOptions extends TsvdOptions, SelectOptions {
  /** Worker threads (default: the machine's parallelism, at most one per layer); 0 runs on this thread. */
  readonly jobs?: number;
}

export interface CompressedModel {
  readonly proto: ModelProto;
  /** Layers compressed by this run, in graph order. */
  readonly layers: readonly CompressedLayer[];
  /** Seconds each layer's decomposition took (same order as `layers`). */
  readonly seconds: readonly number[];
  readonly skipped: readonly SkippedLayer[];
  /** The selected sites, for progress displays (id, name, op). */
  readonly sites: readonly LayerSite[];
  /** The input model's plan (report reuses it to recompute errors, instead of selecting again). */
  readonly plan: CompressionPlan;
}

/** The layers of a model that compress selects, with the (lenient) import that found them. */
export type CompressionPlan = Selection & { readonly file: string } & Pick<LenientImport, 'graph' | 'shapeOf' | 'unsupported'>;

export const DEFAULT_TSVD: TsvdOptions = { tol: 0.01, cosThresh: 0.8386 };

/**
 * The sites compress would work on, before any decomposition (for progress bars); the
 * one selection of weight layers (report uses it too). Layers an earlier run compressed
 * (tsvdc metadata) are neither selected nor skipped.
 */
export function planCompression(model: OnnxModel, opts: SelectOptions = {}): CompressionPlan {
  const { graph, shapeOf, unsupported } = importOnnxLenient(model);
  const compressedNodes = new Set(readTsvdMeta(model.proto, model.file).flatMap((l) => l.nodes));
  return { ...selectLayers(graph, shapeOf, { ...opts, compressedNodes }), file: model.file, graph, shapeOf, unsupported };
}

/**
 * Compresses a model. `hooks` are called with the selected sites before any work
 * starts and return the pool hooks (progress display).
 */
export async function compressModel(model: OnnxModel, opts: CompressOptions, hooks?: (sites: readonly LayerSite[]) => PoolHooks): Promise<CompressedModel> {
  const plan = planCompression(model, opts);
  const tsvd: TsvdOptions = {
    tol: opts.tol, cosThresh: opts.cosThresh, ...(opts.steps ? { steps: opts.steps } : {}),
    ...(opts.maxRank ? { maxRank: opts.maxRank } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
  const pool = opts.jobs ?? Math.max(1, availableParallelism());
  const outcomes = await runJobs(plan.jobs, tsvd, pool, hooks?.(plan.sites) ?? {});
  const skipped = [...plan.skipped];
  const done: Array<{ site: LayerSite; result: LayerResult }> = [];
  outcomes.forEach((out, i) => {
    const site = plan.sites[i]!;
    // decomposeConv only tries forms that ONNX can express (tsvd/conv.ts), so every result is written
    if ('declined' in out) skipped.push({ node: site.name, op: site.op, reason: out.declined });
    else done.push({ site, result: out });
  });
  const proto: ModelProto = { ...model.proto, graph: { ...model.proto.graph! }, metadataProps: [...model.proto.metadataProps] };
  const layers = rewriteModel(proto, plan.graph, done, tsvd);
  writeTsvdMeta(proto, [...readTsvdMeta(model.proto, model.file), ...layers]);
  return { proto, layers, seconds: done.map((d) => d.result.seconds), skipped, sites: plan.sites, plan };
}
