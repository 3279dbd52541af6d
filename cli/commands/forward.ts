// `stereoscope forward <model> --batch <batch.json> [--adapter <dir>] [--grad] [--out <out.json>]`: one forward
// (and optionally backward) pass with the numbers outside tools check us against: loss as the Hugging Face class
// computes it for `labels`, logits, hidden states in HF order, and with --grad d loss / d each LoRA tensor keyed
// as in adapter_model.safetensors.
import { writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { getNodeGpu } from '../../workers/gpu/node-gpu';
import { openEngine } from '../../workers/engine/open-engine';
import { BACKEND_USAGE, backendOption } from '../backend-option';
import { loadModel } from '../../models/auto';
import { openCheckpoint } from '../../models/load/checkpoint';
import { readPeftAdapter } from '../../models/load/peft';
import { resolveSource } from '../../models/load/resolve';
import { forwardReport } from '../forward-report/report';
import type { ForwardBatch } from '../forward-report/types';
import { parseArgs, UsageError, type Command, type Io } from '../command';

function parseBatch(text: string, file: string): ForwardBatch {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message})`);
  }
  const b = raw as Record<string, unknown>;
  const grid = (key: string, required: boolean): number[][] | undefined => {
    const v = b[key];
    if (v === undefined && !required) return undefined;
    if (!Array.isArray(v) || !v.length || !v.every((r) => Array.isArray(r) && r.every((x) => Number.isInteger(x))))
      throw new UsageError(`${file}: "${key}" must be a non-empty array of integer rows`);
    const rows = v as number[][];
    if (rows.some((r) => r.length !== rows[0].length))
      throw new UsageError(`${file}: rows of "${key}" must have equal lengths (pad them)`);
    return rows;
  };
  const batch: ForwardBatch = {
    inputIds: grid('input_ids', true)!,
    attentionMask: grid('attention_mask', false),
    labels: grid('labels', false),
    decoderInputIds: grid('decoder_input_ids', false),
  };
  const mask = batch.attentionMask;
  if (mask && (mask.length !== batch.inputIds.length || mask[0].length !== batch.inputIds[0].length))
    throw new UsageError(`${file}: "attention_mask" must have the shape of input_ids`);
  return batch;
}

export const forwardCommand: Command = {
  usage: `forward <model> --batch <batch.json> [--adapter <dir>] [--grad] [--out <out.json>] ${BACKEND_USAGE}`,
  summary: 'one forward/backward pass; loss, logits, hidden states, LoRA grads as JSON',
  async run(args, io) {
    const { positional, options } = parseArgs(args, ['grad']);
    if (positional.length !== 1) throw new UsageError('forward needs exactly one model (Hub id, URL or folder)');
    if (typeof options.batch !== 'string') throw new UsageError('forward needs --batch <batch.json>');
    const grad = options.grad === true;
    if (grad && typeof options.adapter !== 'string')
      throw new UsageError('--grad needs --adapter: gradients are taken with respect to the LoRA tensors');
    const batch = parseBatch(await readFile(options.batch, 'utf8'), options.batch);
    const source = resolveSource(positional[0]);
    io.err(`loading ${source.describe()}\n`);
    const choice = backendOption(options);
    if (grad && choice === 'cpu') throw new UsageError('--grad needs WebGPU: the CPU backend runs inference only');
    // Dawn is loaded only when WebGPU is tried: --backend cpu never touches it.
    const engine = await openEngine({ gpu: getNodeGpu, choice });
    if (engine.kind === 'cpu') io.err(`CPU backend (${engine.reason}): ${engine.report.note}\n`);
    const be = engine.backend;
    const loaded = await loadModel(be, await openCheckpoint(source));
    const adapter = typeof options.adapter === 'string' ? await readPeftAdapter(resolveSource(options.adapter)) : null;
    const report = await forwardReport(be, loaded, batch, { adapter, grad });
    const text = JSON.stringify(report);
    if (typeof options.out === 'string') await writeFile(options.out, text);
    else io.out(`${text}\n`);
    return 0;
  },
};
