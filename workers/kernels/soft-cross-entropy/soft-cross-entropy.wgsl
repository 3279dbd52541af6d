// Cross-entropy of logits [N, V] against the soft targets p_ref = softmax(refLogits) (the reference-model term
// of unlearning), and its backward; follows soft-cross-entropy.ref.ts. One workgroup per row: one sweep keeps
// online (max, Σexp) pairs for both rows, a tree merges them into lse and lse_ref, then
//   loss = −Σ_v p_ref(v) · (logits(v) − lse)           (forward, a second sweep)
//   dlogits = w · (exp(logits − lse) − exp(ref − lse_ref))   (backward, recomputing both lse)

struct Params {
  rows: u32,
  V: u32,
  scale: f32,  // backward: weight of every row when no per-row weights are bound
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;      // [N, V]
@group(0) @binding(2) var<storage, read> refLogits: array<f32>;   // [N, V]

override WG: u32 = 256u;  // invocations per row: rowWorkgroupSize in reduce/row-grid.ts

var<workgroup> red: array<vec4f, WG>;  // (max, Σexp) of logits, then of refLogits

fn merge(a_m: f32, a_s: f32, b_m: f32, b_s: f32) -> vec2f {
  let m = max(a_m, b_m);
  return vec2f(m, a_s * exp(a_m - m) + b_s * exp(b_m - m));
}

// (lse of logits, lse of refLogits) for one row; every invocation gets the result.
fn row_lse2(row: u32, lid: u32) -> vec2f {
  let base = row * p.V;
  let first = base + min(lid, p.V - 1u);
  var a = vec2f(logits[first], 0.0);
  var b = vec2f(refLogits[first], 0.0);
  for (var v = lid; v < p.V; v += WG) {
    a = merge(a.x, a.y, logits[base + v], 1.0);
    b = merge(b.x, b.y, refLogits[base + v], 1.0);
  }
  red[lid] = vec4f(a, b);
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      let x = red[lid];
      let y = red[lid + k];
      red[lid] = vec4f(merge(x.x, x.y, y.x, y.y), merge(x.z, x.w, y.z, y.w));
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return vec2f(r.x + log(r.y), r.z + log(r.w));
}

// ---- forward: bindings logits, refLogits, loss
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;   // [N]

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let l = row_lse2(row, lid);
  let base = row * p.V;
  var s = 0.0;
  for (var v = lid; v < p.V; v += WG) { s += exp(refLogits[base + v] - l.y) * (logits[base + v] - l.x); }
  red[lid] = vec4f(s, 0.0, 0.0, 0.0);
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss[row] = -red[0].x; }
}

// ---- backward: bindings logits, refLogits, dlogits [, weights]
@group(0) @binding(3) var<storage, read_write> dLogits: array<f32>;  // [N, V]
@group(0) @binding(4) var<storage, read> weights: array<f32>;        // [N]

fn backward_row(row: u32, lid: u32, w: f32) {
  let l = row_lse2(row, lid);
  let base = row * p.V;
  for (var v = lid; v < p.V; v += WG) {
    dLogits[base + v] = w * (exp(logits[base + v] - l.x) - exp(refLogits[base + v] - l.y));
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  backward_row(row, lid, p.scale);
}

@compute @workgroup_size(WG)
fn backward_weighted(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  backward_row(row, lid, weights[row]);
}
