// LayerNorm over the last axis (torch.nn.LayerNorm: biased variance), forward and backward; follows
// layernorm.ref.ts. One workgroup per row, tree sums in workgroup memory (forward_vec4: one row per invocation). The variance is taken as
// mean((x − mean)²) in a second sweep rather than E[x²] − mean², which cancels badly when |mean| ≫ std.
// Backward is one dispatch: the first `rows` workgroups write dX, the next ⌈C/(WG/16)⌉ write dgamma and dbeta
// for WG/16 columns each (16 lanes per column stride over the rows, then a tree across lanes), since WGSL has no
// float atomics to accumulate parameter gradients from the row workgroups.

struct Params {
  rows: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;  // invocations per row (rowWorkgroupSize in reduce/row-grid.ts); rows per workgroup in forward_vec4
const LANES = 16u;  // row lanes per column in the parameter-gradient workgroups, which take WG / LANES columns

var<workgroup> red: array<vec2f, WG>;

// Σ over the workgroup of two values at once; every invocation gets the result.
fn tree_sum(lid: u32, v: vec2f) -> vec2f {
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

// ---- forward: bindings X, gamma, beta, Y, mean, rstd
@group(0) @binding(1) var<storage, read> X: array<f32>;            // [rows, C]
@group(0) @binding(2) var<storage, read> gamma: array<f32>;        // [C]
@group(0) @binding(3) var<storage, read> beta: array<f32>;         // [C]
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;      // [rows, C]
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;   // [rows]
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;   // [rows]

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.C;
  let n = f32(p.C);
  var s = 0.0;
  for (var c = lid; c < p.C; c += WG) { s += X[base + c]; }
  let mu = tree_sum(lid, vec2f(s, 0.0)).x / n;
  var q = 0.0;
  for (var c = lid; c < p.C; c += WG) {
    let d = X[base + c] - mu;
    q += d * d;
  }
  let r = 1.0 / sqrt(tree_sum(lid, vec2f(q, 0.0)).x / n + p.eps);
  for (var c = lid; c < p.C; c += WG) { Y[base + c] = (X[base + c] - mu) * r * gamma[c] + beta[c]; }
  if (lid == 0u) {
    mean[row] = mu;
    rstd[row] = r;
  }
}

// ---- forward when C % 4 == 0: one row per invocation, read as vec4, one sweep for both sums. On SwiftShader
// this beats a workgroup per row (no barriers, a quarter of the loads): 256×768 went from ~8 ms to ~4 ms.
// Sums are shifted by the row's first value k, var = E[(x−k)²] − E[x−k]², which only cancels when
// |mean − k| ≫ std; the scalar kernel above keeps the exact two-sweep form for other widths.
@group(0) @binding(1) var<storage, read> X4: array<vec4f>;         // [rows, C/4]
@group(0) @binding(2) var<storage, read> gamma4: array<vec4f>;     // [C/4]
@group(0) @binding(3) var<storage, read> beta4: array<vec4f>;      // [C/4]
@group(0) @binding(4) var<storage, read_write> Y4: array<vec4f>;   // [rows, C/4]

@compute @workgroup_size(WG)
fn forward_vec4(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + lid;
  if (row >= p.rows) { return; }
  let C4 = p.C / 4u;
  let base = row * C4;
  let n = f32(p.C);
  let k = X4[base].x;
  var s = vec4f(0.0);
  var q = vec4f(0.0);
  for (var c = 0u; c < C4; c++) {
    let d = X4[base + c] - k;
    s += d;
    q += d * d;
  }
  let m = dot(s, vec4f(1.0)) / n;
  let mu = k + m;
  let r = 1.0 / sqrt(max(dot(q, vec4f(1.0)) / n - m * m, 0.0) + p.eps);
  for (var c = 0u; c < C4; c++) { Y4[base + c] = (X4[base + c] - mu) * r * gamma4[c] + beta4[c]; }
  mean[row] = mu;
  rstd[row] = r;
}

// ---- backward: bindings X, gamma, mean, rstd, dY, dX, dgamma, dbeta
@group(0) @binding(1) var<storage, read> bX: array<f32>;              // [rows, C]
@group(0) @binding(2) var<storage, read> bGamma: array<f32>;          // [C]
@group(0) @binding(3) var<storage, read> bMean: array<f32>;           // [rows]
@group(0) @binding(4) var<storage, read> bRstd: array<f32>;           // [rows]
@group(0) @binding(5) var<storage, read> dY: array<f32>;              // [rows, C]
@group(0) @binding(6) var<storage, read_write> dX: array<f32>;        // [rows, C]
@group(0) @binding(7) var<storage, read_write> dGamma: array<f32>;    // [C]
@group(0) @binding(8) var<storage, read_write> dBeta: array<f32>;     // [C]

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wg.y * nwg.x + wg.x;
  if (w < p.rows) {
    // dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)),  g = dy · gamma,  x̂ = (x − mean) · rstd
    let base = w * p.C;
    let mu = bMean[w];
    let r = bRstd[w];
    var acc = vec2f(0.0);
    for (var c = lid; c < p.C; c += WG) {
      let g = dY[base + c] * bGamma[c];
      acc += vec2f(g, g * (bX[base + c] - mu) * r);
    }
    let m = tree_sum(lid, acc) / f32(p.C);
    for (var c = lid; c < p.C; c += WG) {
      let g = dY[base + c] * bGamma[c];
      let xhat = (bX[base + c] - mu) * r;
      dX[base + c] = r * (g - m.x - xhat * m.y);
    }
    return;
  }
  let block = w - p.rows;
  if (block * (WG / LANES) >= p.C) { return; }
  // dgamma[c] = Σ_rows dy · x̂,  dbeta[c] = Σ_rows dy
  let c = block * (WG / LANES) + lid % (WG / LANES);
  let lane = lid / (WG / LANES);
  var acc = vec2f(0.0);
  if (c < p.C) {
    for (var row = lane; row < p.rows; row += LANES) {
      let d = dY[row * p.C + c];
      acc += vec2f(d * (bX[row * p.C + c] - bMean[row]) * bRstd[row], d);
    }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s >= WG / LANES; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  if (lane == 0u && c < p.C) {
    dGamma[c] = red[lid].x;
    dBeta[c] = red[lid].y;
  }
}
