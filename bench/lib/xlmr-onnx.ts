// The benchmark's XLM-R-shaped encoder: seeded random weights (an in-memory checkpoint for our
// XlmrForMaskedLM.load) and the same encoder as an ONNX graph over the SAME weights for onnxruntime-web. The
// graph follows transformers' modeling_xlm_roberta (post-LN layers, erf GELU, additive key mask) op by op:
// Gather embeddings → Add → LayerNormalization → per layer MatMul/Add projections, Reshape/Transpose heads,
// MatMul scores, Mul scale, Add mask, Softmax, MatMul context, output dense + residual + LayerNormalization, FFN
// with GELU as x·½·(1 + erf(x/√2)) (Div, Erf, Add, Mul, Mul) + residual + LayerNormalization.
import { positionIds } from '../../models/xlmr/config';
import type { OnnxGraph, OnnxInitializer, OnnxNode } from './onnx-graph';
import type { OrtFeed } from './ort';
import { memoryCheckpoint, syntheticTensor, type SyntheticTensor } from './synthetic-checkpoint';
import type { Checkpoint } from '../../models/load/checkpoint';

export interface EncoderShape {
  B: number;
  T: number;
  C: number;
  NH: number;
  I: number;
  L: number;
  V: number;
  /** Tokens padded at the end of every odd row, so the key mask matters. */
  pad: number;
}

const PAD_ID = 1;
const EPS = 1e-5;

/** Token ids (seeded) and the 1/0 attention mask of the benchmark batch. */
export function encoderBatch(s: EncoderShape): { inputIds: number[][]; attentionMask: number[][] } {
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  for (let b = 0; b < s.B; b++) {
    const keep = b % 2 ? s.T - s.pad : s.T;
    inputIds.push(Array.from({ length: s.T }, (_, t) => (t < keep ? 3 + ((b * 131 + t * 71) % (s.V - 3)) : PAD_ID)));
    attentionMask.push(Array.from({ length: s.T }, (_, t) => (t < keep ? 1 : 0)));
  }
  return { inputIds, attentionMask };
}

/** Encoder weights in HF names (no "roberta." prefix); `head` adds the MLM head (decoder tied to the embeddings). */
export function encoderTensors(
  s: EncoderShape,
  random: (n: number) => Float32Array,
  { head = false } = {},
): Map<string, SyntheticTensor> {
  const m = new Map<string, SyntheticTensor>();
  const P = s.T + 2 + PAD_ID;
  m.set('embeddings.word_embeddings.weight', syntheticTensor(random, [s.V, s.C], 'embedding'));
  m.set('embeddings.position_embeddings.weight', syntheticTensor(random, [P, s.C], 'embedding'));
  m.set('embeddings.token_type_embeddings.weight', syntheticTensor(random, [1, s.C], 'embedding'));
  const norm = (n: string) => {
    m.set(`${n}.weight`, syntheticTensor(random, [s.C], 'norm'));
    m.set(`${n}.bias`, syntheticTensor(random, [s.C], 'bias'));
  };
  const lin = (n: string, out: number, inp: number) => {
    m.set(`${n}.weight`, syntheticTensor(random, [out, inp], 'matrix'));
    m.set(`${n}.bias`, syntheticTensor(random, [out], 'bias'));
  };
  norm('embeddings.LayerNorm');
  for (let l = 0; l < s.L; l++) {
    const p = `encoder.layer.${l}`;
    for (const x of ['query', 'key', 'value']) lin(`${p}.attention.self.${x}`, s.C, s.C);
    lin(`${p}.attention.output.dense`, s.C, s.C);
    norm(`${p}.attention.output.LayerNorm`);
    lin(`${p}.intermediate.dense`, s.I, s.C);
    lin(`${p}.output.dense`, s.C, s.I);
    norm(`${p}.output.LayerNorm`);
  }
  if (head) {
    lin('lm_head.dense', s.C, s.C);
    m.set('lm_head.layer_norm.weight', syntheticTensor(random, [s.C], 'norm'));
    m.set('lm_head.layer_norm.bias', syntheticTensor(random, [s.C], 'bias'));
    m.set('lm_head.bias', syntheticTensor(random, [s.V], 'bias'));
  }
  return m;
}

export function encoderCheckpoint(s: EncoderShape, tensors: Map<string, SyntheticTensor>): Checkpoint {
  const config = {
    model_type: 'xlm-roberta',
    hidden_size: s.C,
    num_hidden_layers: s.L,
    num_attention_heads: s.NH,
    intermediate_size: s.I,
    vocab_size: s.V,
    hidden_act: 'gelu',
    max_position_embeddings: s.T + 2 + PAD_ID,
    type_vocab_size: 1,
    layer_norm_eps: EPS,
    pad_token_id: PAD_ID,
  };
  return memoryCheckpoint(config, tensors);
}

function transposed({ shape: [rows, cols], data }: SyntheticTensor): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** The ONNX graph (inputs input_ids, position_ids, mask_bias; output last_hidden [B, T, C]) and its feeds. */
export function encoderOnnx(
  s: EncoderShape,
  tensors: Map<string, SyntheticTensor>,
): { graph: OnnxGraph; feeds: OrtFeed[] } {
  const { B, T, C, NH } = s;
  const HS = C / NH;
  const nodes: OnnxNode[] = [];
  const inits: OnnxInitializer[] = [];
  const w = (name: string) => tensors.get(name)!;
  const init = (name: string, dims: number[], data: Float32Array | BigInt64Array) => (
    inits.push({ name, dims, data }),
    name
  );
  const i64 = (name: string, v: number[]) => init(name, [v.length], BigInt64Array.from(v.map(BigInt)));
  let k = 0;
  const node = (op: string, inputs: string[], attrs?: OnnxNode['attrs']) => {
    const out = `t${k++}`;
    nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  };
  const linear = (x: string, n: string) => {
    const wt = w(`${n}.weight`);
    const wT = init(`${n}.wT`, [wt.shape[1], wt.shape[0]], transposed(wt));
    return node('Add', [node('MatMul', [x, wT]), init(`${n}.bias`, [wt.shape[0]], w(`${n}.bias`).data)]);
  };
  const layerNorm = (x: string, n: string) =>
    node(
      'LayerNormalization',
      [x, init(`${n}.weight`, [C], w(`${n}.weight`).data), init(`${n}.bias`, [C], w(`${n}.bias`).data)],
      [
        { name: 'axis', int: -1 },
        { name: 'epsilon', float: EPS },
      ],
    );
  const heads = i64('heads_shape', [B, T, NH, HS]);
  const merged = i64('merged_shape', [B, T, C]);
  const scale = init('scale', [], new Float32Array([1 / Math.sqrt(HS)]));
  const [sqrt2, one, half] = [
    init('sqrt2', [], new Float32Array([Math.SQRT2])),
    init('one', [], new Float32Array([1])),
    init('half', [], new Float32Array([0.5])),
  ];

  const word = node('Gather', [
    init('word_emb', w('embeddings.word_embeddings.weight').shape, w('embeddings.word_embeddings.weight').data),
    'input_ids',
  ]);
  const pos = node('Gather', [
    init('pos_emb', w('embeddings.position_embeddings.weight').shape, w('embeddings.position_embeddings.weight').data),
    'position_ids',
  ]);
  const type0 = init('type_emb0', [C], w('embeddings.token_type_embeddings.weight').data);
  let x = layerNorm(node('Add', [node('Add', [word, pos]), type0]), 'embeddings.LayerNorm');
  for (let l = 0; l < s.L; l++) {
    const p = `encoder.layer.${l}`;
    const split = (t: string, perm: number[]) =>
      node('Transpose', [node('Reshape', [t, heads])], [{ name: 'perm', ints: perm }]);
    const q = split(linear(x, `${p}.attention.self.query`), [0, 2, 1, 3]); // [B, NH, T, HS]
    const kT = split(linear(x, `${p}.attention.self.key`), [0, 2, 3, 1]); // [B, NH, HS, T]
    const v = split(linear(x, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = node('Add', [node('Mul', [node('MatMul', [q, kT]), scale]), 'mask_bias']);
    const probs = node('Softmax', [scores], [{ name: 'axis', int: -1 }]);
    const ctx = node('Reshape', [
      node('Transpose', [node('MatMul', [probs, v])], [{ name: 'perm', ints: [0, 2, 1, 3] }]),
      merged,
    ]);
    const h = layerNorm(
      node('Add', [linear(ctx, `${p}.attention.output.dense`), x]),
      `${p}.attention.output.LayerNorm`,
    );
    const f = linear(h, `${p}.intermediate.dense`);
    const gelu = node('Mul', [node('Mul', [f, node('Add', [node('Erf', [node('Div', [f, sqrt2])]), one])]), half]);
    x = layerNorm(node('Add', [linear(gelu, `${p}.output.dense`), h]), `${p}.output.LayerNorm`);
  }
  nodes.push({ op: 'Identity', inputs: [x], outputs: ['last_hidden'] });
  const batch = encoderBatch(s);
  const flat = (rows: number[][]) => BigInt64Array.from(rows.flat().map(BigInt));
  // HF adds finfo(float32).min at masked keys; −1e9 underflows exp() to 0 the same way.
  const bias = Float32Array.from(batch.attentionMask.flat().map((m) => (m ? 0 : -1e9)));
  const feeds: OrtFeed[] = [
    { name: 'input_ids', dims: [B, T], type: 'int64', data: flat(batch.inputIds) },
    { name: 'position_ids', dims: [B, T], type: 'int64', data: flat(positionIds(batch.inputIds, PAD_ID)) },
    { name: 'mask_bias', dims: [B, 1, 1, T], type: 'float32', data: bias },
  ];
  const graph: OnnxGraph = {
    nodes,
    inputs: feeds.map((f) => ({ name: f.name, shape: f.dims, type: f.type })),
    outputs: [{ name: 'last_hidden', shape: [B, T, C] }],
    initializers: inits,
    opset: 17,
  };
  return { graph, feeds };
}
