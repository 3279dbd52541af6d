// onnxruntime-web's WebGPU execution providers as the benchmark's peers: one-node sessions whose inputs live in
// GPU buffers on ORT's own device and whose outputs stay on the GPU, so a run measures kernels, not copies.
// Two builds ship in the package and both are measured: 'jsep' (the default `onnxruntime-web` entry, WebGPU
// kernels written in JS/WGSL — what transformers.js uses) and 'native' (`onnxruntime-web/webgpu`, the C++
// WebGPU EP compiled to wasm with asyncify).
import type * as Ort from 'onnxruntime-web';
import { oneNodeModel, type OnnxElem, type OnnxNodeGraph } from './onnx-graph';
import type { OrtBuild, Runnable } from './types';

const loaded = new Map<OrtBuild, Promise<typeof Ort>>();

function load(build: OrtBuild): Promise<typeof Ort> {
  let p = loaded.get(build);
  if (!p) {
    p = (build === 'jsep' ? import('onnxruntime-web') : import('onnxruntime-web/webgpu')).then((ort) => {
      // ORT's wasm and glue files are served by the bench's Vite server from node_modules, never from a CDN.
      ort.env.wasm.wasmPaths = '/ort/';
      // One wasm thread: no cross-origin isolation needed, and the work we time runs on the GPU anyway.
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'error';
      return ort;
    });
    loaded.set(build, p);
  }
  return p;
}

/** A session for a one-node graph, fed with the given f32 data. */
export async function ortOneNode(build: OrtBuild, graph: OnnxNodeGraph, data: Float32Array[]): Promise<Runnable> {
  const ort = await load(build);
  const session = await ort.InferenceSession.create(oneNodeModel(graph), {
    executionProviders: ['webgpu'],
    preferredOutputLocation: 'gpu-buffer',
  });
  // The native EP replaces its device once all sessions are released: read it only after creating a session.
  const device = (await ort.env.webgpu.device) as GPUDevice;
  const buffers: GPUBuffer[] = [];
  const feeds: Record<string, Ort.Tensor> = {};
  graph.inputs.forEach((input, i) => {
    const buffer = device.createBuffer({
      size: Math.ceil(data[i].byteLength / 16) * 16,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buffer, 0, data[i] as Float32Array<ArrayBuffer>);
    buffers.push(buffer);
    feeds[input.name] = ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims: input.shape });
  });
  return {
    async run() {
      const out = await session.run(feeds);
      await device.queue.onSubmittedWorkDone();
      for (const t of Object.values(out)) t.dispose();
    },
    dispose() {
      void session.release();
      buffers.forEach((b) => b.destroy());
    },
  };
}

/** Read one output back (used once per case to check that both sides compute the same thing). */
export async function ortOutput(build: OrtBuild, graph: OnnxNodeGraph, data: Float32Array[]): Promise<Float32Array> {
  const ort = await load(build);
  const session = await ort.InferenceSession.create(oneNodeModel(graph), { executionProviders: ['webgpu'] });
  const feeds: Record<string, Ort.Tensor> = {};
  graph.inputs.forEach((input, i) => (feeds[input.name] = new ort.Tensor('float32', data[i], input.shape)));
  const out = await session.run(feeds);
  const result = (await out[graph.output.name].getData()) as Float32Array;
  await session.release();
  return result;
}

export interface OrtFeed {
  name: string;
  dims: number[];
  type: OnnxElem;
  data: Float32Array | BigInt64Array;
}

/**
 * A session for a whole model graph (lib/onnx-graph.ts graphModel bytes). Feeds are small (ids, masks) and
 * passed as CPU tensors; the output stays on ORT's GPU during timing and is read back only by output().
 * `executionProvider` 'wasm' runs the same graph on ORT's CPU backend (an informative extra column).
 */
export async function ortGraph(
  build: OrtBuild,
  model: Uint8Array,
  feedList: OrtFeed[],
  outputName: string,
  executionProvider: 'webgpu' | 'wasm' = 'webgpu',
): Promise<Runnable> {
  const ort = await load(build);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [executionProvider],
    preferredOutputLocation: executionProvider === 'webgpu' ? 'gpu-buffer' : 'cpu',
  });
  const device = executionProvider === 'webgpu' ? ((await ort.env.webgpu.device) as GPUDevice) : null;
  const feeds: Record<string, Ort.Tensor> = {};
  for (const f of feedList) feeds[f.name] = new ort.Tensor(f.type, f.data, f.dims);
  let last: Ort.Tensor | null = null;
  return {
    async run() {
      last?.dispose();
      const out = await session.run(feeds);
      await device?.queue.onSubmittedWorkDone();
      last = out[outputName];
      for (const [k, t] of Object.entries(out)) if (k !== outputName) t.dispose();
    },
    async output() {
      if (!last) throw new Error('ortGraph: output() before run()');
      return Float32Array.from((await last.getData()) as Float32Array);
    },
    dispose() {
      last?.dispose();
      void session.release();
    },
  };
}
