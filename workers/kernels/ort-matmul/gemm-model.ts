// The ONNX model bytes of a one-node Gemm graph (Y = alpha · op(A) · op(B) + C) with symbolic dims, for the CPU
// backend's matmul and linear on onnxruntime-web's wasm engine (ort-session.ts). Only the handful of protobuf
// fields such a graph needs are written (field numbers of onnx.proto: ModelProto, GraphProto, NodeProto,
// AttributeProto, ValueInfoProto, TypeProto, TensorShapeProto); no weights are embedded, they are fed per run.

export interface GemmForm {
  transA: boolean;
  transB: boolean;
  alpha: number;
  /** A third input C of shape [N] added to every row (linear's bias). */
  bias: boolean;
}

/** A protobuf message under construction: a list of bytes. */
class Msg {
  readonly bytes: number[] = [];
  varint(v: number): this {
    // Only non-negative values below 2^31 occur here (tags, lengths, enum values, flags).
    let x = v >>> 0;
    while (x >= 0x80) {
      this.bytes.push((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    this.bytes.push(x);
    return this;
  }
  int(field: number, v: number): this {
    return this.varint(field << 3).varint(v);
  }
  float(field: number, v: number): this {
    this.varint((field << 3) | 5);
    this.bytes.push(...new Uint8Array(new Float32Array([v]).buffer));
    return this;
  }
  string(field: number, s: string): this {
    const b = new TextEncoder().encode(s);
    this.varint((field << 3) | 2).varint(b.length);
    this.bytes.push(...b);
    return this;
  }
  message(field: number, inner: Msg): this {
    this.varint((field << 3) | 2).varint(inner.bytes.length);
    this.bytes.push(...inner.bytes);
    return this;
  }
}

const FLOAT = 1; // TensorProto.DataType FLOAT
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

/** ValueInfoProto of an f32 tensor whose dims are named (dim_param), so one session serves every size. */
function f32Value(name: string, dims: string[]): Msg {
  const shape = new Msg();
  for (const d of dims) shape.message(1, new Msg().string(2, d));
  const tensor = new Msg().int(1, FLOAT).message(2, shape);
  return new Msg().string(1, name).message(2, new Msg().message(1, tensor));
}

/** Serialised ModelProto of Gemm(A, B[, C]) → Y with dims M, N, K left symbolic. */
export function gemmModel(form: GemmForm): Uint8Array {
  const node = new Msg().string(1, 'A').string(1, 'B');
  if (form.bias) node.string(1, 'C');
  node.string(2, 'Y').string(3, 'gemm').string(4, 'Gemm');
  node.message(5, new Msg().string(1, 'alpha').float(2, form.alpha).int(20, ATTR_FLOAT));
  node.message(
    5,
    new Msg()
      .string(1, 'transA')
      .int(3, form.transA ? 1 : 0)
      .int(20, ATTR_INT),
  );
  node.message(
    5,
    new Msg()
      .string(1, 'transB')
      .int(3, form.transB ? 1 : 0)
      .int(20, ATTR_INT),
  );
  const graph = new Msg().message(1, node).string(2, 'stereoscope-gemm');
  graph.message(11, f32Value('A', form.transA ? ['K', 'M'] : ['M', 'K']));
  graph.message(11, f32Value('B', form.transB ? ['N', 'K'] : ['K', 'N']));
  if (form.bias) graph.message(11, f32Value('C', ['N']));
  graph.message(12, f32Value('Y', ['M', 'N']));
  // ir_version 8 with the default-domain opset 13 (Gemm-13: C optional, f32).
  const model = new Msg()
    .int(1, 8)
    .string(2, 'stereoscope')
    .message(7, graph)
    .message(8, new Msg().string(1, '').int(2, 13));
  return Uint8Array.from(model.bytes);
}
