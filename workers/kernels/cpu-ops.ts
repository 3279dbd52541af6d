// The CPU backend's op table (op name → float32 CPU kernel), handed to `new CpuBackend({ ops: cpuOps })` by the
// hosts: workers/backend may not import the kernels. It covers the forward ops inference of XLM-R, Llama and
// T5 uses; backward ops and the optimiser are absent on purpose (training needs WebGPU), so running them on the
// CPU backend fails with an error naming the op. Keys come from the OpDefs so a renamed op cannot drift.
// matmul and linear run on onnxruntime-web's wasm engine where measurement says it wins (ort-matmul/), else on
// the JS kernels; `cpuMatmulEngine.status()` tells the host which (the plain-JS path is never silent).
import type { CpuOpTable } from '../backend/cpu-backend';
import { geluOp, reluOp, siluOp, tanhOp } from './activation/activation';
import { activationCpu, geluCpu } from './activation/activation.cpu';
import { attentionOp } from './attention/attention';
import { attentionCpu } from './attention/attention.cpu';
import { concatOp } from './concat/concat';
import { concatCpu } from './concat/concat.cpu';
import { crossEntropyOp, tokenLogprobsOp } from './cross-entropy/cross-entropy';
import { crossEntropyCpu, tokenLogprobsCpu } from './cross-entropy/cross-entropy.cpu';
import { addOp, addScaledOp, castOp, mulOp, scaleOp, sumToShapeOp } from './elementwise/elementwise';
import { addCpu, addScaledCpu, castCpu, mulCpu, scaleCpu, sumToShapeCpu } from './elementwise/elementwise.cpu';
import { embeddingOp } from './embedding/embedding';
import { embeddingCpu } from './embedding/embedding.cpu';
import { gatedOp } from './gated/gated';
import { gatedCpu } from './gated/gated.cpu';
import { layerNormOp } from './layernorm/layernorm';
import { layerNormCpu } from './layernorm/layernorm.cpu';
import { linearOp } from './linear/linear';
import { linearCpu } from './linear/linear.cpu';
import { matmulOp } from './matmul/matmul';
import { matmulCpu } from './matmul/matmul.cpu';
import { ortMatmulKernels } from './ort-matmul/ort-matmul';
import { reduceRowsOp, sumAllOp, topkOp } from './reduce/reduce';
import { reduceRowsCpu, sumAllCpu, topkCpu } from './reduce/reduce.cpu';
import { rmsNormOp } from './rmsnorm/rmsnorm';
import { rmsNormCpu } from './rmsnorm/rmsnorm.cpu';
import { ropeOpDef } from './rope/rope';
import { ropeCpu } from './rope/rope.cpu';
import { softmaxOp } from './softmax/softmax';
import { softmaxCpu } from './softmax/softmax.cpu';

/** The matrix-product engine of `cpuOps`: one ORT instance per process or worker, started on first use. */
export const cpuMatmulEngine = ortMatmulKernels();

export const cpuOps: CpuOpTable = {
  [matmulOp.name]: cpuMatmulEngine.matmul,
  [linearOp.name]: cpuMatmulEngine.linear,
  [embeddingOp.name]: embeddingCpu,
  [layerNormOp.name]: layerNormCpu,
  [rmsNormOp.name]: rmsNormCpu,
  [softmaxOp.name]: softmaxCpu,
  [attentionOp.name]: attentionCpu,
  [ropeOpDef.name]: ropeCpu,
  [geluOp.name]: geluCpu,
  [siluOp.name]: activationCpu('silu'),
  [reluOp.name]: activationCpu('relu'),
  [tanhOp.name]: activationCpu('tanh'),
  [gatedOp.name]: gatedCpu,
  [addOp.name]: addCpu,
  [mulOp.name]: mulCpu,
  [scaleOp.name]: scaleCpu,
  [addScaledOp.name]: addScaledCpu,
  [sumToShapeOp.name]: sumToShapeCpu,
  [castOp.name]: castCpu,
  [reduceRowsOp.name]: reduceRowsCpu,
  [sumAllOp.name]: sumAllCpu,
  [topkOp.name]: topkCpu,
  [crossEntropyOp.name]: crossEntropyCpu,
  [tokenLogprobsOp.name]: tokenLogprobsCpu,
  [concatOp.name]: concatCpu,
};

/** The same table with plain-JS matrix products only (tests; the path taken when ORT fails to start). */
export const cpuOpsJs: CpuOpTable = { ...cpuOps, [matmulOp.name]: matmulCpu, [linearOp.name]: linearCpu };
