// Linear layer, vec4 variant, with frozen weights in f32, q8 or q4 (dequantised on the fly, f32 accumulation):
//   forward         Y[m, n]  = Σ_k X[m, k] · W[n, k] (+ bias[n])          needs K % 4 == 0
//   backward_input  dX[m, k] = Σ_n dY[m, n] · W[n, k]                     needs K % 4 == 0 and N % 4 == 0
// Reference: linear.ref.ts. Same design as matmul-vec4.wgsl (and chosen for the same measured reason): each
// invocation computes a 4×4 output block straight from storage, no workgroup memory, no barriers; the blocks are
// mat4x4f values so a reduction step of 4 is one 4×4 matrix product. Ragged shapes use linear.wgsl.

override WDTYPE: u32 = 0u;  // 0: f32 bit patterns, 1: q8, 2: q4 (layout: gpu/quant-layout.ts)

struct Params {
  M: u32, N: u32, K: u32,
  qdata: u32,  // word offset of the packed integers (after the N·K/32 scales); unused for f32
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;           // forward: X [M, K]; backward: dY [M, N]
@group(0) @binding(2) var<storage, read> W: array<u32>;             // [N, K] f32 bits, or scales + packed ints
@group(0) @binding(3) var<storage, read_write> Out: array<f32>;     // forward: Y [M, N]; backward: dX [M, K]
@group(0) @binding(4) var<storage, read> bias: array<f32>;          // [N] (forward_bias only)

// W[n, k .. k+3] dequantised (k % 4 == 0, so the four weights share one scale and one packed word).
fn w4(n: u32, k: u32) -> vec4f {
  let e = n * p.K + k;
  if (WDTYPE == 0u) { return bitcast<vec4f>(vec4u(W[e], W[e + 1u], W[e + 2u], W[e + 3u])); }
  let d = bitcast<f32>(W[e / 32u]);
  if (WDTYPE == 1u) {
    // Four signed bytes: shift each to the top, then arithmetic-shift back down to sign-extend.
    let word = vec4i(bitcast<i32>(W[p.qdata + e / 4u]));
    return vec4f((word << vec4u(24u, 16u, 8u, 0u)) >> vec4u(24u)) * d;
  }
  let word = W[p.qdata + e / 8u] >> (4u * (e % 8u));  // e % 8 is 0 or 4: the low or high 16 bits
  return vec4f(vec4i((vec4u(word) >> vec4u(0u, 4u, 8u, 12u)) & vec4u(15u)) - vec4i(8)) * d;
}

var<private> acc: mat4x4f;  // column i: outputs of row m0 + i at columns c0 .. c0+3

// Vec4 indices of A's rows m0 .. m0+3 (rows past M are clamped and never stored), for a row length R.
fn a_rows(m0: u32, R: u32) -> vec4u {
  return min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.M - 1u)) * (R / 4u);
}

fn store(m0: u32, c0: u32, cols: u32) {
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (c0 + j < cols) { Out[m * cols + c0 + j] = acc[i][j]; }
    }
  }
}

fn forward_block(m0: u32, n0: u32) {
  let a = a_rows(m0, p.K);
  let n = min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.N - 1u));
  for (var k4 = 0u; k4 < p.K / 4u; k4++) {
    let x = mat4x4f(A[a.x + k4], A[a.y + k4], A[a.z + k4], A[a.w + k4]);
    let w = mat4x4f(w4(n.x, 4u * k4), w4(n.y, 4u * k4), w4(n.z, 4u * k4), w4(n.w, 4u * k4));
    acc += transpose(w) * x;  // acc[i][j] += dot(W[n0 + j, k..], X[m0 + i, k..])
  }
}

@compute @workgroup_size(8, 8)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (n0 >= p.N || m0 >= p.M) { return; }  // no barriers, so idle invocations may leave
  forward_block(m0, n0);
  store(m0, n0, p.N);
}

@compute @workgroup_size(8, 8)
fn forward_bias(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (n0 >= p.N || m0 >= p.M) { return; }
  forward_block(m0, n0);
  let last = p.N - 1u;
  let b = vec4f(bias[n0], bias[min(n0 + 1u, last)], bias[min(n0 + 2u, last)], bias[min(n0 + 3u, last)]);
  acc += mat4x4f(b, b, b, b);
  store(m0, n0, p.N);
}

@compute @workgroup_size(8, 8)
fn backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let k0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (k0 >= p.K || m0 >= p.M) { return; }
  let a = a_rows(m0, p.N);
  for (var n4 = 0u; n4 < p.N / 4u; n4++) {
    let dy = mat4x4f(A[a.x + n4], A[a.y + n4], A[a.z + n4], A[a.w + n4]);
    let n = 4u * n4;
    let w = mat4x4f(w4(n, k0), w4(n + 1u, k0), w4(n + 2u, k0), w4(n + 3u, k0));
    acc += w * dy;  // acc[i] += Σ_j dY[m0 + i, n + j] · W[n + j, k0 .. k0+3]
  }
  store(m0, k0, p.K);
}
