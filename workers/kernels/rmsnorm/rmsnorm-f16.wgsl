// RMSNorm forward over f16 activations (inference): X and Y f16, gamma and rstd f32, maths in f32 (as Hugging
// Face computes the variance in float32); follows rmsnorm.ref.ts. Needs shader-f16. One row per invocation,
// no barriers (rows of model widths are short next to SwiftShader's cost of a barrier).

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
@group(0) @binding(3) var<storage, read_write> Y: array<f16>;      // [rows, C] f16
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;   // [rows]

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + lid;
  if (row >= p.rows) { return; }
  let base = row * p.C;
  var q = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let v = f32(X[base + c]);
    q += v * v;
  }
  let r = 1.0 / sqrt(q / f32(p.C) + p.eps);
  for (var c = 0u; c < p.C; c++) {
    // Saturate: an f32 → f16 conversion beyond ±65504 is indeterminate in WGSL.
    Y[base + c] = f16(clamp(f32(X[base + c]) * r * gamma[c], -65504.0, 65504.0));
  }
  rstd[row] = r;
}
