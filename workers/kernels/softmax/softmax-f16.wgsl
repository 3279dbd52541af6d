// Masked, scaled softmax forward over f16 scores (inference): X and Y f16; bias and key mask f32; maths in f32.
// Same semantics as softmax.wgsl's forward (follows softmax.ref.ts): s = X · scale + bias, float32 min added
// once at masked positions, y = exp(s − max s) / Σ exp(s − max s). Needs shader-f16. One row per invocation
// and no barriers (softmax.wgsl's forward_short layout): y ≤ 1, so the f16 store never overflows.

enable f16;

struct Params {
  rows: u32,
  Tq: u32,
  Tk: u32,
  rowsPerBatch: u32,  // NH · Tq: rows that share one key-mask row
  biasRows: u32,      // rows of the bias (NH · Tq when broadcast over B, else rows); row r reads r % biasRows
  scale: f32,
  causal: u32,        // 1: query q sees keys k ≤ q + offset
  offset: i32,
  flags: u32,         // bit 0: bias bound, bit 1: key mask bound
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 64u;  // rows per workgroup
const F32_MIN = -3.40282346638528859812e+38f;

// Bindings X, bias, keyMask, Y (an absent bias or mask is bound to a spare f32 buffer and never read)
@group(0) @binding(1) var<storage, read> X: array<f16>;             // [B, NH, Tq, Tk] f16
@group(0) @binding(2) var<storage, read> bias: array<f32>;          // [1 | B, NH, Tq, Tk]
@group(0) @binding(3) var<storage, read> keyMask: array<f32>;       // [B, Tk]  1 keep, 0 masked
@group(0) @binding(4) var<storage, read_write> Y: array<f16>;       // [B, NH, Tq, Tk] f16

fn score(row: u32, k: u32) -> f32 {
  var s = f32(X[row * p.Tk + k]) * p.scale;
  if ((p.flags & 1u) != 0u) { s += bias[(row % p.biasRows) * p.Tk + k]; }
  var add = 0.0;
  if ((p.flags & 2u) != 0u) { add = (1.0 - keyMask[(row / p.rowsPerBatch) * p.Tk + k]) * F32_MIN; }
  if (p.causal != 0u && i32(k) > i32(row % p.Tq) + p.offset) { add = F32_MIN; }
  return s + add;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + lid;
  if (row >= p.rows) { return; }
  var m = score(row, 0u);
  for (var k = 1u; k < p.Tk; k++) { m = max(m, score(row, k)); }
  var s = 0.0;
  for (var k = 0u; k < p.Tk; k++) { s += exp(score(row, k) - m); }
  let inv = 1.0 / s;
  for (var k = 0u; k < p.Tk; k++) { Y[row * p.Tk + k] = f16(exp(score(row, k) - m) * inv); }
}
