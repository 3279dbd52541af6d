// Masked, scaled softmax over the last axis, and its backward; follows softmax.ref.ts.
// Forward, per row of scores X [B, NH, Tq, Tk] (or any [..., Tk] without masks):
//   s = X · scale + bias;  masked positions get float32 min ADDED (not −inf, as Hugging Face does), once even
//   when both the causal rule and the key mask apply, so a fully masked row stays finite: all its entries round
//   to min and the softmax is uniform. Then y = exp(s − max s) / Σ exp(s − max s).
// One workgroup per row; the three sweeps (max, sum, write) recompute s instead of staging it.

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

override WG: u32 = 256u;
const F32_MIN = -3.40282346638528859812e+38f;

var<workgroup> red: array<f32, WG>;

fn tree(lid: u32, v: f32, is_max: bool) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      if (is_max) { red[lid] = max(red[lid], red[lid + s]); } else { red[lid] += red[lid + s]; }
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// ---- forward: bindings X, bias, keyMask, Y (an absent bias or mask is bound to X and never read)
@group(0) @binding(1) var<storage, read> X: array<f32>;             // [B, NH, Tq, Tk]
@group(0) @binding(2) var<storage, read> bias: array<f32>;          // [1 | B, NH, Tq, Tk]
@group(0) @binding(3) var<storage, read> keyMask: array<f32>;       // [B, Tk]  1 keep, 0 masked
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;       // [B, NH, Tq, Tk]

fn score(row: u32, k: u32) -> f32 {
  var s = X[row * p.Tk + k] * p.scale;
  if ((p.flags & 1u) != 0u) { s += bias[(row % p.biasRows) * p.Tk + k]; }
  var add = 0.0;
  if ((p.flags & 2u) != 0u) { add = (1.0 - keyMask[(row / p.rowsPerBatch) * p.Tk + k]) * F32_MIN; }
  if (p.causal != 0u && i32(k) > i32(row % p.Tq) + p.offset) { add = F32_MIN; }
  return s + add;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  var m = score(row, min(lid, p.Tk - 1u));
  for (var k = lid; k < p.Tk; k += WG) { m = max(m, score(row, k)); }
  m = tree(lid, m, true);
  var s = 0.0;
  for (var k = lid; k < p.Tk; k += WG) { s += exp(score(row, k) - m); }
  let inv = 1.0 / tree(lid, s, false);
  for (var k = lid; k < p.Tk; k += WG) { Y[row * p.Tk + k] = exp(score(row, k) - m) * inv; }
}

// Short rows: one invocation per row and no barriers. On SwiftShader a barrier costs far more than a few dozen
// serial exps, and a real GPU still gets ROWS_PER_WG rows per workgroup.
const ROWS_PER_WG = 64u;

@compute @workgroup_size(ROWS_PER_WG)
fn forward_short(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.y * nwg.x + wg.x) * ROWS_PER_WG + lid;
  if (row >= p.rows) { return; }
  var m = score(row, 0u);
  for (var k = 1u; k < p.Tk; k++) { m = max(m, score(row, k)); }
  var s = 0.0;
  for (var k = 0u; k < p.Tk; k++) { s += exp(score(row, k) - m); }
  let inv = 1.0 / s;
  for (var k = 0u; k < p.Tk; k++) { Y[row * p.Tk + k] = exp(score(row, k) - m) * inv; }
}

// ---- backward: bindings Y, dY, dX;  dx = scale · y ⊙ (dy − Σ y ⊙ dy)
@group(0) @binding(1) var<storage, read> bY: array<f32>;            // [rows, Tk]
@group(0) @binding(2) var<storage, read> dY: array<f32>;            // [rows, Tk]
@group(0) @binding(3) var<storage, read_write> dX: array<f32>;      // [rows, Tk]

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.Tk;
  var s = 0.0;
  for (var k = lid; k < p.Tk; k += WG) { s += bY[base + k] * dY[base + k]; }
  let dot = tree(lid, s, false);
  for (var k = lid; k < p.Tk; k += WG) { dX[base + k] = p.scale * bY[base + k] * (dY[base + k] - dot); }
}

@compute @workgroup_size(ROWS_PER_WG)
fn backward_short(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.y * nwg.x + wg.x) * ROWS_PER_WG + lid;
  if (row >= p.rows) { return; }
  let base = row * p.Tk;
  var dot = 0.0;
  for (var k = 0u; k < p.Tk; k++) { dot += bY[base + k] * dY[base + k]; }
  for (var k = 0u; k < p.Tk; k++) { dX[base + k] = p.scale * bY[base + k] * (dY[base + k] - dot); }
}
