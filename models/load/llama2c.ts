// Karpathy's llama2.c checkpoints (run.c `read_checkpoint` / `memory_map_weights`, export.py `version1_export`)
// exposed as a Checkpoint with Hugging Face Llama names and a Llama config.json-style object, so models/llama runs
// them unchanged. Formats: legacy "v0" (7 int32 header, weights grouped by kind, then two RoPE tables to skip) and
// "v1" (256-byte header with magic "ak42", norms first, no RoPE tables). Version 2 (int8) is not supported.
import { makeCheckpoint, type Checkpoint } from './checkpoint';
import { FormatError } from './errors';
import type { TensorInfo } from './safetensors';
import type { DownloadProgress, ModelSource } from './source';

export interface Llama2cHeader {
  version: 0 | 1;
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedClassifier: boolean;
  headerBytes: number;
}

const MAGIC = 0x616b3432; // "ak42" read as a little-endian uint32

export function parseLlama2cHeader(bytes: Uint8Array, file = 'model.bin'): Llama2cHeader {
  if (bytes.length < 28) throw new FormatError(`${file}: too short for a llama2.c header (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isV1 = dv.getUint32(0, true) === MAGIC;
  if (isV1 && dv.getInt32(4, true) !== 1)
    throw new FormatError(
      `${file}: llama2.c format version ${dv.getInt32(4, true)} is not supported (only legacy and v1 float32)`,
    );
  if (isV1 && bytes.length < 37) throw new FormatError(`${file}: truncated v1 header`);
  const at = isV1 ? 8 : 0;
  const ints = Array.from({ length: 7 }, (_, i) => dv.getInt32(at + 4 * i, true));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen] = ints;
  const h: Llama2cHeader = {
    version: isV1 ? 1 : 0,
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(vocab),
    seqLen,
    // Legacy files flag an unshared classifier with a negative vocab size; v1 has an explicit byte.
    sharedClassifier: isV1 ? bytes[36] === 1 : vocab > 0,
    headerBytes: isV1 ? 256 : 28,
  };
  const sane = [dim, hiddenDim, nLayers, nHeads, nKvHeads, h.vocabSize, seqLen].every((x) => x > 0 && x < 1 << 24);
  if (!sane || dim % nHeads !== 0 || nHeads % nKvHeads !== 0 || (dim / nHeads) % 2 !== 0)
    throw new FormatError(`${file}: implausible llama2.c header ${JSON.stringify(ints)}; not a llama2.c checkpoint?`);
  return h;
}

/** HF LlamaConfig keys; llama2.c's run.c uses RMSNorm eps 1e-5 and RoPE base 10000 (hard-coded there). */
export function llama2cConfig(h: Llama2cHeader): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: h.dim,
    intermediate_size: h.hiddenDim,
    num_hidden_layers: h.nLayers,
    num_attention_heads: h.nHeads,
    num_key_value_heads: h.nKvHeads,
    head_dim: h.dim / h.nHeads,
    vocab_size: h.vocabSize,
    max_position_embeddings: h.seqLen,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: h.sharedClassifier,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: 'float32',
    llama2c_version: h.version,
  };
}

interface Block {
  kind: string;
  perLayer: boolean;
  shape: number[];
}

/** Tensor kinds in file order for each format (run.c memory_map_weights / export.py version1_export). */
function layout(h: Llama2cHeader): Block[] {
  const kv = (h.dim / h.nHeads) * h.nKvHeads;
  const B = (kind: string, perLayer: boolean, shape: number[]) => ({ kind, perLayer, shape });
  const emb = B('embed', false, [h.vocabSize, h.dim]);
  const [attNorm, ffnNorm, norm] = [
    B('rms_att', true, [h.dim]),
    B('rms_ffn', true, [h.dim]),
    B('rms_final', false, [h.dim]),
  ];
  const mats = [
    B('wq', true, [h.dim, h.dim]),
    B('wk', true, [kv, h.dim]),
    B('wv', true, [kv, h.dim]),
    B('wo', true, [h.dim, h.dim]),
  ];
  const ffn = [
    B('w1', true, [h.hiddenDim, h.dim]),
    B('w2', true, [h.dim, h.hiddenDim]),
    B('w3', true, [h.hiddenDim, h.dim]),
  ];
  const cls = h.sharedClassifier ? [] : [B('wcls', false, [h.vocabSize, h.dim])];
  if (h.version === 1) return [attNorm, ffnNorm, norm, emb, ...mats, ...ffn, ...cls];
  // Legacy files keep two RoPE tables [seq_len, head_dim/2] (real, imag) after rms_final; run.c skips them.
  const rope = B('rope_tables', false, [2, h.seqLen, h.dim / h.nHeads / 2]);
  return [emb, attNorm, ...mats, ffnNorm, ...ffn, norm, rope, ...cls];
}

const HF_NAMES: Record<string, string> = {
  rms_att: 'input_layernorm',
  rms_ffn: 'post_attention_layernorm',
  wq: 'self_attn.q_proj',
  wk: 'self_attn.k_proj',
  wv: 'self_attn.v_proj',
  wo: 'self_attn.o_proj',
  w1: 'mlp.gate_proj',
  w2: 'mlp.down_proj',
  w3: 'mlp.up_proj',
};

function hfName(kind: string, layer: number): string | null {
  if (kind === 'embed') return 'model.embed_tokens.weight';
  if (kind === 'rms_final') return 'model.norm.weight';
  if (kind === 'wcls') return 'lm_head.weight';
  if (kind === 'rope_tables') return null;
  return `model.layers.${layer}.${HF_NAMES[kind]}.weight`;
}

/**
 * llama2.c applies RoPE to consecutive pairs (2i, 2i+1) of each head (Meta's original complex-number form);
 * HF Llama rotates halves (i, i + head_dim/2) via rotate_half. HF's convert_llama_weights_to_hf.py makes the two
 * agree by permuting the output rows of wq and wk per head: new row p·(hs/2) + i = old row 2i + p (p ∈ {0,1}).
 * Since q and k get the same permutation, every attention score q·k is unchanged; v and o are untouched.
 */
export function permuteForRotateHalf(w: Float32Array, nHeads: number, rowsPerHead: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = rowsPerHead / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let p = 0; p < 2; p++) {
        const src = (h * rowsPerHead + 2 * i + p) * cols;
        const dst = (h * rowsPerHead + p * half + i) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

export interface OpenLlama2cOptions {
  source: ModelSource;
  file?: string; // default 'model.bin'; llama2.c's own files are named e.g. stories260K.bin
  onProgress?: (p: DownloadProgress) => void;
}

/** Reads the header, checks the file size against it, and maps every tensor to its byte range. */
export async function openLlama2c(opts: OpenLlama2cOptions): Promise<Checkpoint> {
  const file = opts.file ?? 'model.bin';
  const size = await opts.source.size(file);
  const h = parseLlama2cHeader(await opts.source.readRange(file, 0, Math.min(256, size)), file);
  const tensors = new Map<string, TensorInfo>();
  let at = h.headerBytes;
  for (const b of layout(h)) {
    const bytes = 4 * b.shape.reduce((x, y) => x * y, 1);
    for (let l = 0; l < (b.perLayer ? h.nLayers : 1); l++) {
      const name = hfName(b.kind, l);
      if (name) tensors.set(name, { name, dtype: 'F32', shape: b.shape, file, begin: at, end: at + bytes });
      at += bytes;
    }
  }
  if (at !== size)
    throw new FormatError(`${file}: the header (${JSON.stringify(h)}) implies ${at} bytes but the file has ${size}`);
  if (h.sharedClassifier)
    tensors.set('lm_head.weight', { ...tensors.get('model.embed_tokens.weight')!, name: 'lm_head.weight' });
  const hs = h.dim / h.nHeads;
  const transform = (name: string, data: Float32Array) => {
    if (name.endsWith('self_attn.q_proj.weight')) return permuteForRotateHalf(data, h.nHeads, hs, h.dim);
    if (name.endsWith('self_attn.k_proj.weight')) return permuteForRotateHalf(data, h.nKvHeads, hs, h.dim);
    return data;
  };
  return makeCheckpoint({
    source: opts.source,
    config: llama2cConfig(h),
    tensors,
    onProgress: opts.onProgress,
    transform,
  });
}
