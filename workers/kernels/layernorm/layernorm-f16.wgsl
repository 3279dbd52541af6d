// LayerNorm forward over f16 activations (inference): X and Y f16, gamma/beta and the statistics f32, all maths
// in f32; follows layernorm.ref.ts. Needs shader-f16 (f16 stores are per element, so any C works).
// One row per invocation, no barriers (the layout of layernorm.wgsl's forward_vec4, measured best on
// SwiftShader); exact two-sweep variance mean((x − mean)²), since re-reading f16 rows is cheap.

enable f16;

struct Params {
  rows: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 32u;  // rows per workgroup

@group(0) @binding(1) var<storage, read> X: array<f16>;            // [rows, C] f16
@group(0) @binding(2) var<storage, read> gamma: array<f32>;        // [C]
@group(0) @binding(3) var<storage, read> beta: array<f32>;         // [C]
@group(0) @binding(4) var<storage, read_write> Y: array<f16>;      // [rows, C] f16
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;   // [rows]
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;   // [rows]

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + lid;
  if (row >= p.rows) { return; }
  let base = row * p.C;
  let n = f32(p.C);
  var s = 0.0;
  for (var c = 0u; c < p.C; c++) { s += f32(X[base + c]); }
  let mu = s / n;
  var q = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let d = f32(X[base + c]) - mu;
    q += d * d;
  }
  let r = 1.0 / sqrt(q / n + p.eps);
  for (var c = 0u; c < p.C; c++) {
    // Saturate: an f32 → f16 conversion beyond ±65504 is indeterminate in WGSL.
    Y[base + c] = f16(clamp((f32(X[base + c]) - mu) * r * gamma[c] + beta[c], -65504.0, 65504.0));
  }
  mean[row] = mu;
  rstd[row] = r;
}
