// Cross-entropy against integer labels over rows of logits [N, V], its backward, and per-token log-probs;
// follows cross-entropy.ref.ts. One workgroup per row: each invocation keeps an online (max, Σexp(x − max))
// pair over its strided slice of the row, then a tree merges the pairs into the row's logsumexp.
// Labels equal to ignoreIndex give 0 (loss, gradient); any other label outside [0, V) gives NaN so a bad
// batch shows up instead of training silently on a clamped index.

struct Params {
  rows: u32,
  V: u32,
  ignoreIndex: i32,
  scale: f32,   // backward: gradient weight of every row when no per-row weights are bound
  nanBits: u32, // 0x7fc00000: a NaN must come from run-time data, WGSL rejects NaN constants
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;  // invocations per row: rowWorkgroupSize in reduce/row-grid.ts

var<workgroup> red_m: array<f32, WG>;
var<workgroup> red_s: array<f32, WG>;

fn nan() -> f32 {
  return bitcast<f32>(p.nanBits);
}

// logsumexp of row `row` of `logits`; every invocation gets the result.
fn row_lse(row: u32, lid: u32) -> f32 {
  let base = row * p.V;
  var m = logits[base + min(lid, p.V - 1u)];
  var s = 0.0;
  for (var v = lid; v < p.V; v += WG) {
    let x = logits[base + v];
    if (x > m) { s = s * exp(m - x) + 1.0; m = x; } else { s += exp(x - m); }
  }
  red_m[lid] = m;
  red_s[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      let a = red_m[lid];
      let b = red_m[lid + k];
      let mm = max(a, b);
      red_s[lid] = red_s[lid] * exp(a - mm) + red_s[lid + k] * exp(b - mm);
      red_m[lid] = mm;
    }
    workgroupBarrier();
  }
  let r = red_m[0] + log(red_s[0]);
  workgroupBarrier();
  return r;
}

@group(0) @binding(1) var<storage, read> logits: array<f32>;       // [N, V]
@group(0) @binding(2) var<storage, read> labels: array<i32>;       // [N]

// ---- forward: bindings logits, labels, loss, lse
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;   // [N]  (logprobs entry: log-probs [N])
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;    // [N]

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let l = row_lse(row, lid);
  if (lid == 0u) {
    let y = labels[row];
    var out = 0.0;
    if (y != p.ignoreIndex) {
      if (y < 0 || u32(y) >= p.V) { out = nan(); } else { out = l - logits[row * p.V + u32(y)]; }
    }
    loss[row] = out;
    lse[row] = l;
  }
}

// ---- log-probs of the labels: bindings logits, labels, out (0 where label < 0)
@compute @workgroup_size(WG)
fn logprobs(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let l = row_lse(row, lid);
  if (lid == 0u) {
    let y = labels[row];
    var out = 0.0;
    if (y >= 0) {
      if (u32(y) >= p.V) { out = nan(); } else { out = logits[row * p.V + u32(y)] - l; }
    }
    loss[row] = out;
  }
}

// ---- backward: bindings logits, labels, lse, dlogits [, weights]
@group(0) @binding(3) var<storage, read> bLse: array<f32>;              // [N]
@group(0) @binding(4) var<storage, read_write> dLogits: array<f32>;     // [N, V]
@group(0) @binding(5) var<storage, read> weights: array<f32>;           // [N]

// dlogits[row] = w · (softmax(logits[row]) − onehot(label)); 0 for ignored rows.
fn backward_row(row: u32, lid: u32, w: f32) {
  let base = row * p.V;
  let y = labels[row];
  if (y == p.ignoreIndex) {
    for (var v = lid; v < p.V; v += WG) { dLogits[base + v] = 0.0; }
    return;
  }
  let bad = y < 0 || u32(y) >= p.V;
  let l = bLse[row];
  for (var v = lid; v < p.V; v += WG) {
    var g = exp(logits[base + v] - l);
    if (i32(v) == y) { g -= 1.0; }
    dLogits[base + v] = select(w * g, nan(), bad);
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row < p.rows) { backward_row(row, lid, p.scale); }
}

@compute @workgroup_size(WG)
fn backward_weighted(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row < p.rows) { backward_row(row, lid, weights[row]); }
}
