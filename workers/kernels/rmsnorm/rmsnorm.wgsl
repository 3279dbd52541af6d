// RMSNorm over the last axis (Llama's RMSNorm and T5's LayerNorm: no mean, no bias), forward and backward;
// follows rmsnorm.ref.ts. One workgroup per row with a tree sum of x². Backward is one dispatch: the first
// `rows` workgroups write dX, the next ⌈C/(WG/16)⌉ write dgamma for WG/16 columns each (16 row lanes per
// column, then a tree across lanes), since WGSL has no float atomics to accumulate dgamma from the row workgroups.

struct Params {
  rows: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;  // invocations per row: rowWorkgroupSize in reduce/row-grid.ts
const LANES = 16u;  // row lanes per column in the parameter-gradient workgroups, which take WG / LANES columns

var<workgroup> red: array<f32, WG>;

fn tree_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// ---- forward: bindings X, gamma, Y, rstd
@group(0) @binding(1) var<storage, read> X: array<f32>;            // [rows, C]
@group(0) @binding(2) var<storage, read> gamma: array<f32>;        // [C]
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;      // [rows, C]
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;   // [rows]

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.C;
  var q = 0.0;
  for (var c = lid; c < p.C; c += WG) {
    let v = X[base + c];
    q += v * v;
  }
  let r = 1.0 / sqrt(tree_sum(lid, q) / f32(p.C) + p.eps);
  for (var c = lid; c < p.C; c += WG) { Y[base + c] = X[base + c] * r * gamma[c]; }
  if (lid == 0u) { rstd[row] = r; }
}

// ---- backward: bindings X, gamma, rstd, dY, dX, dgamma
@group(0) @binding(1) var<storage, read> bX: array<f32>;              // [rows, C]
@group(0) @binding(2) var<storage, read> bGamma: array<f32>;          // [C]
@group(0) @binding(3) var<storage, read> bRstd: array<f32>;           // [rows]
@group(0) @binding(4) var<storage, read> dY: array<f32>;              // [rows, C]
@group(0) @binding(5) var<storage, read_write> dX: array<f32>;        // [rows, C]
@group(0) @binding(6) var<storage, read_write> dGamma: array<f32>;    // [C]

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wg.y * nwg.x + wg.x;
  if (w < p.rows) {
    // dx = rstd · (g − x̂ · mean(g · x̂)),  g = dy · gamma,  x̂ = x · rstd
    let base = w * p.C;
    let r = bRstd[w];
    var acc = 0.0;
    for (var c = lid; c < p.C; c += WG) { acc += dY[base + c] * bGamma[c] * bX[base + c] * r; }
    let m = tree_sum(lid, acc) / f32(p.C);
    for (var c = lid; c < p.C; c += WG) {
      dX[base + c] = r * (dY[base + c] * bGamma[c] - bX[base + c] * r * m);
    }
    return;
  }
  let block = w - p.rows;
  if (block * (WG / LANES) >= p.C) { return; }
  // dgamma[c] = Σ_rows dy · x̂
  let c = block * (WG / LANES) + lid % (WG / LANES);
  let lane = lid / (WG / LANES);
  var acc = 0.0;
  if (c < p.C) {
    for (var row = lane; row < p.rows; row += LANES) { acc += dY[row * p.C + c] * bX[row * p.C + c] * bRstd[row]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s >= WG / LANES; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  if (lane == 0u && c < p.C) { dGamma[c] = red[lid]; }
}
