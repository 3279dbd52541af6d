// A minimal ONNX ModelProto encoder for one-node graphs (the benchmark's peers run single ORT ops).
// Field numbers follow onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto, TypeProto);
// only what a one-node f32 graph with int/float attributes needs is written.

export type OnnxAttr = { name: string; int: number } | { name: string; float: number };

export interface OnnxNodeGraph {
  opType: string;
  /** Graph inputs in node-input order, f32 tensors of fixed shape. */
  inputs: { name: string; shape: number[] }[];
  output: { name: string; shape: number[] };
  attrs?: OnnxAttr[];
  opset: number;
}

const ELEM_FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

class Writer {
  bytes: number[] = [];
  varint(v: number | bigint): this {
    // int64 fields: negative values are written as 10-byte two's complement.
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      this.bytes.push(x ? b | 0x80 : b);
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
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.tag(field, 5).bytes.push(...b);
    return this;
  }
  bytesField(field: number, data: number[] | Uint8Array): this {
    this.tag(field, 2).varint(data.length).bytes.push(...data);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytesField(field, inner.bytes);
  }
}

function valueInfo(w: Writer, field: number, v: { name: string; shape: number[] }): void {
  w.message(field, (vi) => {
    vi.string(1, v.name);
    vi.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, ELEM_FLOAT);
        tensor.message(2, (shape) => v.shape.forEach((d) => shape.message(1, (dim) => dim.int(1, d))));
      }),
    );
  });
}

/** Serialised ModelProto bytes, ready for InferenceSession.create(bytes). */
export function oneNodeModel(g: OnnxNodeGraph): Uint8Array {
  const m = new Writer();
  m.int(1, g.opset >= 17 ? 8 : 7); // ir_version: 8 covers opset 17+
  m.string(2, 'stereoscope-bench');
  m.message(7, (graph) => {
    graph.message(1, (node) => {
      g.inputs.forEach((i) => node.string(1, i.name));
      node.string(2, g.output.name);
      node.string(3, g.opType.toLowerCase());
      node.string(4, g.opType);
      for (const a of g.attrs ?? [])
        node.message(5, (attr) => {
          attr.string(1, a.name);
          if ('int' in a) attr.int(3, a.int).int(20, ATTR_INT);
          else attr.float(2, a.float).int(20, ATTR_FLOAT);
        });
    });
    graph.string(2, g.opType.toLowerCase());
    g.inputs.forEach((i) => valueInfo(graph, 11, i));
    valueInfo(graph, 12, g.output);
  });
  m.message(8, (opset) => opset.string(1, '').int(2, g.opset));
  return new Uint8Array(m.bytes);
}
