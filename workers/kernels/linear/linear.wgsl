// Linear layer with frozen weights in f32, q8 or q4 (dequantised on the fly, f32 accumulation):
//   forward         Y[m, n]  = Σ_k X[m, k] · W[n, k] (+ bias[n])
//   backward_input  dX[m, k] = Σ_n dY[m, n] · W[n, k]
// The general kernel, for shapes linear-vec4.wgsl cannot take (K, or for the input gradient N, not a multiple of 4).
// Reference: linear.ref.ts. A 16×16 workgroup computes a 64×64 output tile, 4×4 per invocation; the reduction
// runs in 16-wide slabs staged in workgroup memory as vec4 runs along the reduction axis, so both operands of
// the inner loop are read with vec4 loads and combined with dot(). The weight dtype is an override constant
// (one pipeline per dtype); the f16 variant is linear-f16.wgsl because it needs `enable f16`.

override WDTYPE: u32 = 0u;  // 0: f32 bit patterns, 1: q8, 2: q4 (layout: gpu/quant-layout.ts)

struct Params {
  M: u32, N: u32, K: u32,
  qdata: u32,  // word offset of the packed integers (after the N·K/32 scales); unused for f32
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;             // forward: X [M, K]; backward: dY [M, N]
@group(0) @binding(2) var<storage, read> W: array<u32>;             // [N, K] f32 bits, or scales + packed ints
@group(0) @binding(3) var<storage, read_write> Out: array<f32>;     // forward: Y [M, N]; backward: dX [M, K]
@group(0) @binding(4) var<storage, read> bias: array<f32>;          // [N] (forward_bias only)

const T = 64u;   // output tile edge
const BR = 16u;  // reduction slab

var<workgroup> As: array<vec4f, 256>;  // [T rows][BR/4]: A-operand rows, 4 reduction steps per vec4
var<workgroup> Bs: array<vec4f, 256>;  // [T cols][BR/4]: B-operand columns, 4 reduction steps per vec4
var<private> acc: array<vec4f, 4>;     // acc[i][j]: output (row 4·ly + i, col 4·lx + j) of this invocation

// One dequantised weight W[n, k]; the caller guarantees n < N, k < K.
fn w_at(n: u32, k: u32) -> f32 {
  let e = n * p.K + k;
  if (WDTYPE == 0u) { return bitcast<f32>(W[e]); }
  let d = bitcast<f32>(W[e / 32u]);
  if (WDTYPE == 1u) {
    let byte = bitcast<i32>(W[p.qdata + e / 4u] << (24u - 8u * (e % 4u))) >> 24u;  // sign-extend byte e % 4
    return f32(byte) * d;
  }
  return f32(i32((W[p.qdata + e / 8u] >> (4u * (e % 8u))) & 15u) - 8) * d;
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
