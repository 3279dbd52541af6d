// Linear layer with frozen f16 weights (f32 or f16 activations, f32 accumulation); needs the shader-f16 feature.
//   forward         Y[m, n]  = Σ_k X[m, k] · W[n, k] (+ bias[n])
//   backward_input  dX[m, k] = Σ_n dY[m, n] · W[n, k]
// Reference: linear.ref.ts. Same tiling as linear.wgsl (kept in step with it); only the weight load differs.
// WGSL has no includes, and `enable f16` must not appear in the module used on adapters without the feature.

enable f16;

struct Params {
  M: u32, N: u32, K: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;             // forward: X [M, K]; backward: dY [M, N]
@group(0) @binding(2) var<storage, read> W: array<f16>;             // [N, K]
@group(0) @binding(3) var<storage, read_write> Out: array<f32>;     // forward: Y [M, N]; backward: dX [M, K]
@group(0) @binding(4) var<storage, read> bias: array<f32>;          // [N] (forward_bias only)

const T = 64u;   // output tile edge
const BR = 16u;  // reduction slab

var<workgroup> As: array<vec4f, 256>;  // [T rows][BR/4]: A-operand rows, 4 reduction steps per vec4
var<workgroup> Bs: array<vec4f, 256>;  // [T cols][BR/4]: B-operand columns, 4 reduction steps per vec4
var<private> acc: array<vec4f, 4>;     // acc[i][j]: output (row 4·ly + i, col 4·lx + j) of this invocation

// One weight W[n, k] widened to f32; the caller guarantees n < N, k < K.
fn w_at(n: u32, k: u32) -> f32 {
  return f32(W[n * p.K + k]);
}

// W[n, k .. k+3] with zeros past K (forward: the B operand runs along k).
fn w_row4(n: u32, k: u32) -> vec4f {
  var v = vec4f(0.0);
  if (n >= p.N) { return v; }
  for (var j = 0u; j < 4u; j++) { if (k + j < p.K) { v[j] = w_at(n, k + j); } }
  return v;
}

// W[n .. n+3, k] with zeros past N (backward: the B operand runs along n).
fn w_col4(n: u32, k: u32) -> vec4f {
  var v = vec4f(0.0);
  if (k >= p.K) { return v; }
  for (var j = 0u; j < 4u; j++) { if (n + j < p.N) { v[j] = w_at(n + j, k); } }
  return v;
}

// A[m, r .. r+3] of a row-major [M, R] matrix, zeros outside.
fn a_row4(m: u32, r: u32, R: u32) -> vec4f {
  var v = vec4f(0.0);
  if (m >= p.M) { return v; }
  for (var j = 0u; j < 4u; j++) { if (r + j < R) { v[j] = A[m * R + r + j]; } }
  return v;
}

// The inner loop over one staged slab: 8 vec4 loads per 64 multiply-adds.
fn accumulate(lx: u32, ly: u32) {
  for (var c = 0u; c < BR / 4u; c++) {
    var a: array<vec4f, 4>;
    var b: array<vec4f, 4>;
    for (var i = 0u; i < 4u; i++) {
      a[i] = As[(ly * 4u + i) * 4u + c];
      b[i] = Bs[(lx * 4u + i) * 4u + c];
    }
    for (var i = 0u; i < 4u; i++) {
      acc[i] += vec4f(dot(a[i], b[0]), dot(a[i], b[1]), dot(a[i], b[2]), dot(a[i], b[3]));
    }
  }
}

fn forward_tile(wg: vec3u, lid: vec3u) {
  let row0 = wg.y * T;
  let col0 = wg.x * T;
  let tid = lid.y * 16u + lid.x;
  let r = tid / 4u;        // staged row / column within the tile
  let c = tid % 4u;        // which vec4 of the slab
  for (var k0 = 0u; k0 < p.K; k0 += BR) {
    As[tid] = a_row4(row0 + r, k0 + c * 4u, p.K);
    Bs[tid] = w_row4(col0 + r, k0 + c * 4u);
    workgroupBarrier();
    accumulate(lid.x, lid.y);
    workgroupBarrier();
  }
}

fn store(wg: vec3u, lid: vec3u, cols: u32) {
  for (var i = 0u; i < 4u; i++) {
    let m = wg.y * T + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = wg.x * T + lid.x * 4u + j;
      if (n < cols) {
        Out[m * cols + n] = acc[i][j];
      }
    }
  }
}

@compute @workgroup_size(16, 16)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  forward_tile(wg, lid);
  store(wg, lid, p.N);
}

@compute @workgroup_size(16, 16)
fn forward_bias(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  forward_tile(wg, lid);
  // Only this entry point touches `bias`, so the bias-free pipelines have no binding 4.
  for (var j = 0u; j < 4u; j++) {
    let n = wg.x * T + lid.x * 4u + j;
    if (n < p.N) {
      let b = bias[n];
      for (var i = 0u; i < 4u; i++) { acc[i][j] += b; }
    }
  }
  store(wg, lid, p.N);
}

@compute @workgroup_size(16, 16)
fn backward_input(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * T;
  let col0 = wg.x * T;  // over k
  let tid = lid.y * 16u + lid.x;
  let r = tid / 4u;
  let c = tid % 4u;
  for (var n0 = 0u; n0 < p.N; n0 += BR) {
    As[tid] = a_row4(row0 + r, n0 + c * 4u, p.N);
    Bs[tid] = w_col4(n0 + c * 4u, col0 + r);
    workgroupBarrier();
    accumulate(lid.x, lid.y);
    workgroupBarrier();
  }
  store(wg, lid, p.K);
}

// ---- f16 activations (inference with f16 weights): X and Y stored as f16, products accumulated in f32.
// Y saturates at ±65504 (an f32 → f16 conversion beyond f16's range is indeterminate in WGSL).
@group(0) @binding(1) var<storage, read> Ah: array<f16>;            // X [M, K] f16
@group(0) @binding(3) var<storage, read_write> Outh: array<f16>;    // Y [M, N] f16

fn a_row4_h(m: u32, k: u32) -> vec4f {
  var v = vec4f(0.0);
  if (m >= p.M) { return v; }
  for (var j = 0u; j < 4u; j++) { if (k + j < p.K) { v[j] = f32(Ah[m * p.K + k + j]); } }
  return v;
}

fn forward_tile_h(wg: vec3u, lid: vec3u) {
  let tid = lid.y * 16u + lid.x;
  for (var k0 = 0u; k0 < p.K; k0 += BR) {
    As[tid] = a_row4_h(wg.y * T + tid / 4u, k0 + (tid % 4u) * 4u);
    Bs[tid] = w_row4(wg.x * T + tid / 4u, k0 + (tid % 4u) * 4u);
    workgroupBarrier();
    accumulate(lid.x, lid.y);
    workgroupBarrier();
  }
}

fn store_h(wg: vec3u, lid: vec3u) {
  for (var i = 0u; i < 4u; i++) {
    let m = wg.y * T + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = wg.x * T + lid.x * 4u + j;
      if (n < p.N) { Outh[m * p.N + n] = f16(clamp(acc[i][j], -65504.0, 65504.0)); }
    }
  }
}

@compute @workgroup_size(16, 16)
fn forward_h(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  forward_tile_h(wg, lid);
  store_h(wg, lid);
}

@compute @workgroup_size(16, 16)
fn forward_bias_h(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  forward_tile_h(wg, lid);
  for (var j = 0u; j < 4u; j++) {
    let n = wg.x * T + lid.x * 4u + j;
    if (n < p.N) {
      let b = bias[n];
      for (var i = 0u; i < 4u; i++) { acc[i][j] += b; }
    }
  }
  store_h(wg, lid);
}
