// A minimal ONNX ModelProto encoder: one-node graphs for the kernel peers, and multi-node graphs with
// initializers (weights as raw little-endian data) for the model peers (lib/xlmr-onnx.ts). Field numbers follow
// onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto).
// Large tensors are kept as chunks and joined once at the end, so a 60 MB model is not copied per nesting level.

export type OnnxAttr =
  { name: string; int: number } | { name: string; float: number } | { name: string; ints: number[] };

export interface OnnxNodeGraph {
  opType: string;
  /** Graph inputs in node-input order, f32 tensors of fixed shape. */
  inputs: { name: string; shape: number[] }[];
  output: { name: string; shape: number[] };
  attrs?: OnnxAttr[];
  opset: number;
}

export type OnnxElem = 'float32' | 'int64';

export interface OnnxValue {
  name: string;
  shape: number[];
  type?: OnnxElem; // float32 when absent
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: OnnxAttr[];
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers: OnnxInitializer[];
  opset: number;
}

const ELEM: Record<OnnxElem, number> = { float32: 1, int64: 7 };
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

class Writer {
  private parts: Uint8Array[] = [];
  private cur: number[] = [];
  length = 0;
  private push(b: number): void {
    this.cur.push(b);
    this.length++;
  }
  private flush(): void {
    if (this.cur.length) this.parts.push(Uint8Array.from(this.cur));
    this.cur = [];
  }
  raw(data: Uint8Array): this {
    this.flush();
    this.parts.push(data);
    this.length += data.length;
    return this;
  }
  varint(v: number | bigint): this {
    // int64 fields: negative values are written as 10-byte two's complement.
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      this.push(x ? b | 0x80 : b);
    } while (x);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    new Uint8Array(new Float32Array([v]).buffer).forEach((b) => this.push(b));
    return this;
  }
  bytesField(field: number, data: Uint8Array): this {
    return this.tag(field, 2).varint(data.length).raw(data);
  }
  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    inner.flush();
    this.tag(field, 2).varint(inner.length).flush();
    this.parts.push(...inner.parts);
    this.length += inner.length;
    return this;
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function valueInfo(w: Writer, field: number, v: OnnxValue): void {
  w.message(field, (vi) => {
    vi.string(1, v.name);
    vi.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, ELEM[v.type ?? 'float32']);
        tensor.message(2, (shape) => v.shape.forEach((d) => shape.message(1, (dim) => dim.int(1, d))));
      }),
    );
  });
}

function attribute(w: Writer, a: OnnxAttr): void {
  w.message(5, (attr) => {
    attr.string(1, a.name);
    if ('int' in a) attr.int(3, a.int).int(20, ATTR_INT);
    else if ('float' in a) attr.float(2, a.float).int(20, ATTR_FLOAT);
    else {
      a.ints.forEach((v) => attr.int(8, v));
      attr.int(20, ATTR_INTS);
    }
  });
}

/** Serialised ModelProto bytes of a graph, ready for InferenceSession.create(bytes). */
export function graphModel(g: OnnxGraph): Uint8Array {
  const m = new Writer();
  m.int(1, g.opset >= 17 ? 8 : 7); // ir_version: 8 covers opset 17+
  m.string(2, 'stereoscope-bench');
  m.message(7, (graph) => {
    g.nodes.forEach((n, i) =>
      graph.message(1, (node) => {
        n.inputs.forEach((x) => node.string(1, x));
        n.outputs.forEach((x) => node.string(2, x));
        node.string(3, `${n.op.toLowerCase()}_${i}`);
        node.string(4, n.op);
        (n.attrs ?? []).forEach((a) => attribute(node, a));
      }),
    );
    graph.string(2, 'bench');
    for (const t of g.initializers)
      graph.message(5, (tensor) => {
        t.dims.forEach((d) => tensor.int(1, d));
        tensor.int(2, ELEM[t.data instanceof Float32Array ? 'float32' : 'int64']);
        tensor.string(8, t.name);
        // raw_data is little-endian, as typed arrays are on every platform a browser runs on.
        tensor.bytesField(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      });
    g.inputs.forEach((i) => valueInfo(graph, 11, i));
    g.outputs.forEach((o) => valueInfo(graph, 12, o));
  });
  m.message(8, (opset) => opset.string(1, '').int(2, g.opset));
  return m.finish();
}

/** Serialised ModelProto bytes of a one-node f32 graph. */
export function oneNodeModel(g: OnnxNodeGraph): Uint8Array {
  return graphModel({
    nodes: [{ op: g.opType, inputs: g.inputs.map((i) => i.name), outputs: [g.output.name], attrs: g.attrs }],
    inputs: g.inputs,
    outputs: [g.output],
    initializers: [],
    opset: g.opset,
  });
}
