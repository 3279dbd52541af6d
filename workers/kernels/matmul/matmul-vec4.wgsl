// Batched matmul, vec4 variant: C[b, m, n] = alpha · Σ_k op(A)[b, m, k] · op(B)[b, k, n]  (f32, f32 accumulation)
// Used when the contiguous axis of each operand is a multiple of 4 ((transA ? M : K) and (transB ? K : N)), so
// every operand read is an aligned vec4. K itself may be ragged only in the Aᵀ·B form (weight gradients over a
// ragged token count): there both operands run along m / n, and the last K % 4 steps are done one k at a time. Each invocation computes a 4×4 block of C straight from storage, with
// no workgroup memory: on SwiftShader (the CPU adapter of CI and of many students) every load is a per-lane
// gather and every barrier a coroutine switch, so what pays is few loads per multiply-add and no barriers.
// Measured there against the 64×64 workgroup-tiled kernel (matmul.wgsl): about 2× faster; 8×4 and 8×8 blocks per
// invocation, larger workgroups and a 2× unrolled k loop were all slower. Reference: matmul.ref.ts.
// The 4×4 block is a mat4x4f: column i holds row m0 + i of C, so one k4 step is acc += op(B)-block · op(A)-block.

override TRANS_A: bool = false;  // A stored [batch, K, M]
override TRANS_B: bool = false;  // B stored [batch | 1, N, K]

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  sAb: u32, sAm: u32, sAk: u32, sBb: u32,   // element strides (as in matmul.wgsl; only sAb and sBb are read)
  sBk: u32, sBn: u32, sCb: u32, alpha: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;      // [batch, M, K] or [batch, K, M], 4 per element
@group(0) @binding(2) var<storage, read> B: array<vec4f>;      // [batch | 1, K, N] or [batch | 1, N, K]
@group(0) @binding(3) var<storage, read_write> C: array<f32>;  // [batch, M, N]

// Vec4 indices where the invocation's four operand runs start (at k = 0), and the vec4 step of one k.
struct Runs { r: vec4u, step: u32 }

// op(A) rows m0 .. m0+3: four rows along k (stored [M, K]) or one run along m per k (stored [K, M]).
fn a_runs(aBase: u32, m0: u32) -> Runs {
  if (TRANS_A) { return Runs(vec4u((aBase + m0) / 4u), p.M / 4u); }
  let m = min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.M - 1u));  // rows past M are clamped, never stored
  return Runs((aBase + m * p.K) / 4u, 1u);
}

// op(B) columns n .. n+3: one run along n per k (stored [K, N]) or four rows along k (stored [N, K]).
fn b_runs(bBase: u32, n: u32) -> Runs {
  if (TRANS_B) {
    let c = min(vec4u(n) + vec4u(0u, 1u, 2u, 3u), vec4u(p.N - 1u));
    return Runs((bBase + c * p.K) / 4u, 1u);
  }
  return Runs(vec4u((bBase + n) / 4u), p.N / 4u);
}

// The 4×4 block of op(A) at k4: column i = op(A)[m0 + i, 4·k4 .. 4·k4+3].
fn a_block(a: Runs, k4: u32) -> mat4x4f {
  if (TRANS_A) {
    let i = a.r.x + 4u * k4 * a.step;
    return transpose(mat4x4f(A[i], A[i + a.step], A[i + 2u * a.step], A[i + 3u * a.step]));
  }
  return mat4x4f(A[a.r.x + k4], A[a.r.y + k4], A[a.r.z + k4], A[a.r.w + k4]);
}

// The 4×4 block of op(B) at k4: column kk = op(B)[4·k4 + kk, n .. n+3].
fn b_block(b: Runs, k4: u32) -> mat4x4f {
  if (TRANS_B) { return transpose(mat4x4f(B[b.r.x + k4], B[b.r.y + k4], B[b.r.z + k4], B[b.r.w + k4])); }
  let i = b.r.x + 4u * k4 * b.step;
  return mat4x4f(B[i], B[i + b.step], B[i + 2u * b.step], B[i + 3u * b.step]);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (n >= p.N || m0 >= p.M) { return; }  // no barriers in this kernel, so idle invocations may leave
  let a = a_runs(gid.z * p.sAb, m0);
  let b = b_runs(gid.z * p.sBb, n);
  var acc = mat4x4f();
  for (var k4 = 0u; k4 < p.K / 4u; k4++) {
    // Σ_kk op(B)[k, n .. n+3] · op(A)[m0 + i, k] for every row i: a 4×4 matrix product.
    acc += b_block(b, k4) * a_block(a, k4);
  }
  if (TRANS_A && !TRANS_B) {
    for (var k = 4u * (p.K / 4u); k < p.K; k++) {
      let l = A[a.r.x + k * a.step];  // op(A)[m0 .. m0+3, k]
      let x = B[b.r.x + k * b.step];  // op(B)[k, n .. n+3]
      acc += mat4x4f(l.x * x, l.y * x, l.z * x, l.w * x);
    }
  }
  let cBase = gid.z * p.sCb;
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n + j < p.N) { C[cBase + m * p.N + n + j] = p.alpha * acc[i][j]; }
    }
  }
}
