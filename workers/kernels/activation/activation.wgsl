// Pointwise activations and their derivatives: GELU (erf form, XLM-R "gelu"), GELU tanh form (T5 "gelu_new"),
// SiLU (Llama), ReLU (original T5) and tanh (XLM-R's classification head), selected by the override ACT; plus the gated units act(gate) ⊙ up
// (SwiGLU, gated-GELU) used by workers/kernels/gated, which share this math instead of copying it.
// References: activation.ref.ts, gated.ref.ts. Flat indexing as in elementwise/grid.ts.

struct Params {
  n: u32,  // elements
}

@group(0) @binding(0) var<uniform> p: Params;
override ACT: u32 = 0u;  // 0: gelu (erf), 1: gelu (tanh), 2: silu, 3: relu, 4: tanh (pointwise ops only)

const SQRT1_2 = 0.70710678118654752;
const INV_SQRT_2PI = 0.39894228040143268;
const GELU_K = 0.79788456080286536;  // √(2/π)
const GELU_C = 0.044715;

// WGSL has no erf. erf(z) = z·P(z²) on |z| < 1 and erfc(z) = e^(−z²)·R(1/z) on 1 ≤ z < 9.5 (beyond, erfc
// underflows f32): least-squares fits on Chebyshev nodes, |error| ≈ 1.2e-7 when evaluated in f32, against
// the 3e-6 of Abramowitz–Stegun 7.1.26, which cannot tell erf-GELU from tanh-GELU at the fixtures' 1e-4.
fn erf_small(z: f32) -> f32 {
  let u = z * z;
  let q = 0.00518125389 + u * (-0.000795378059 + u * 7.68084428e-05);
  return z * (1.12837911 + u * (-0.376126111 + u * (0.11283461 + u * (-0.0268495567 + u * q))));
}

fn erfc_large(z: f32) -> f32 {
  if (z >= 9.5) { return 0.0; }
  let s = 1.0 / z;
  var r = -0.0509606339;
  r = r * s + 0.342930019;
  r = r * s - 1.0221256;
  r = r * s + 1.75471985;
  r = r * s - 1.85480011;
  r = r * s + 1.12021577;
  r = r * s - 0.168670893;
  r = r * s - 0.255398333;
  r = r * s - 0.0026637665;
  r = r * s + 0.564340949;
  r = r * s - 3.71447504e-06;
  return exp(-z * z) * r;
}

// Φ(x) = ½·erfc(−x/√2): the tails come from erfc directly, so Φ keeps relative accuracy for very negative x.
fn normal_cdf(x: f32) -> f32 {
  let z = x * SQRT1_2;
  let a = abs(z);
  if (a < 1.0) { return 0.5 + 0.5 * erf_small(z); }
  let t = 0.5 * erfc_large(a);
  return select(t, 1.0 - t, z > 0.0);
}

// (σ(x), σ(−x)) = (σ(x), 1 − σ(x)) from exp of a non-positive argument: no overflow for either sign, and
// no cancellation in 1 − σ(x) for large x (a driver's tanh may also return NaN for large arguments).
fn sigmoid_pair(x: f32) -> vec2f {
  let e = exp(-abs(x));
  let a = 1.0 / (1.0 + e);
  let b = e / (1.0 + e);
  return select(vec2f(b, a), vec2f(a, b), x >= 0.0);
}

// tanh-GELU is x·σ(2u) with u = √(2/π)(x + 0.044715x³), since ½(1 + tanh u) = σ(2u).
fn gelu_tanh_u(x: f32) -> f32 {
  return GELU_K * (x + GELU_C * x * x * x);
}

// tanh without the builtin (which may overflow to NaN for large |x|): (1 − e)/(1 + e) with e = exp(−2|x|) never
// overflows, and below |x| = 1/4, where 1 − e would cancel, the odd Taylor series to x⁹ (next term < 1e-8·|x|).
fn tanh_stable(x: f32) -> f32 {
  let a = abs(x);
  var t: f32;
  if (a < 0.25) {
    let u = a * a;
    t = a * (1.0 + u * (-0.333333333 + u * (0.133333333 + u * (-0.0539682540 + u * 0.0218694885))));
  } else {
    let e = exp(-2.0 * a);
    t = (1.0 - e) / (1.0 + e);
  }
  return select(-t, t, x >= 0.0);
}

// 1 − tanh²(x) = 4e/(1 + e)²: no cancellation for large |x|, where 1 − t² would be 1 − 1.
fn tanh_grad(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  let d = 1.0 + e;
  return 4.0 * e / (d * d);
}

fn act(x: f32) -> f32 {
  switch ACT {
    case 0u: { return x * normal_cdf(x); }
    case 1u: { return x * sigmoid_pair(2.0 * gelu_tanh_u(x)).x; }
    case 2u: { return x * sigmoid_pair(x).x; }
    case 4u: { return tanh_stable(x); }
    default: { return max(x, 0.0); }
  }
}

// d act / dx
fn act_grad(x: f32) -> f32 {
  switch ACT {
    case 0u: { return normal_cdf(x) + x * INV_SQRT_2PI * exp(-0.5 * x * x); }
    case 1u: {
      let s = sigmoid_pair(2.0 * gelu_tanh_u(x));
      return s.x + 2.0 * x * s.x * s.y * GELU_K * (1.0 + 3.0 * GELU_C * x * x);
    }
    case 2u: {
      let s = sigmoid_pair(x);
      return s.x * (1.0 + x * s.y);
    }
    case 4u: { return tanh_grad(x); }
    default: { return select(0.0, 1.0, x > 0.0); }
  }
}

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 256u + lid.x;
}
// ---- y = act(x) ---------------------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> f_x: array<f32>;          // [...] (n elements)
@group(0) @binding(2) var<storage, read_write> f_y: array<f32>;    // same shape

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  f_y[i] = act(f_x[i]);
}
// ---- dx = dy · act'(x) --------------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> b_x: array<f32>;          // [...] (n elements)
@group(0) @binding(2) var<storage, read> b_dy: array<f32>;         // same shape
@group(0) @binding(3) var<storage, read_write> b_dx: array<f32>;   // same shape

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  b_dx[i] = b_dy[i] * act_grad(b_x[i]);
}
// ---- out = act(gate) ⊙ up -----------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> gf_gate: array<f32>;      // [..., I] (n elements)
@group(0) @binding(2) var<storage, read> gf_up: array<f32>;        // [..., I]
@group(0) @binding(3) var<storage, read_write> gf_out: array<f32>; // [..., I]

@compute @workgroup_size(256)
fn gated_forward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  gf_out[i] = act(gf_gate[i]) * gf_up[i];
}
// ---- dGate = dy ⊙ up ⊙ act'(gate), dUp = dy ⊙ act(gate) ------------------------------------------------------
@group(0) @binding(1) var<storage, read> gb_gate: array<f32>;        // [..., I] (n elements)
@group(0) @binding(2) var<storage, read> gb_up: array<f32>;          // [..., I]
@group(0) @binding(3) var<storage, read> gb_dy: array<f32>;          // [..., I]
@group(0) @binding(4) var<storage, read_write> gb_dgate: array<f32>; // [..., I]
@group(0) @binding(5) var<storage, read_write> gb_dup: array<f32>;   // [..., I]

@compute @workgroup_size(256)
fn gated_backward(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let g = gb_gate[i];
  let dy = gb_dy[i];
  gb_dgate[i] = dy * gb_up[i] * act_grad(g);
  gb_dup[i] = dy * act(g);
}
// ---- f16 tensors, two halves per u32 word (core unpack2x16float / pack2x16float: no shader-f16), maths in f32.
// Invocation i owns word i (elements 2i, 2i + 1 of p.n). pack2x16float leaves the whole word indeterminate if
// a half is out of f16's range, so half_bits saturates each half alone (|v| ≥ 65520 → ±inf, NaN stays NaN).
fn half_bits(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  let sign = (b >> 16u) & 0x8000u;
  let mag = b & 0x7fffffffu;
  if (mag > 0x7f800000u) { return sign | 0x7e00u; }
  if (mag >= 0x477ff000u) { return sign | 0x7c00u; }
  return sign | (pack2x16float(vec2f(min(bitcast<f32>(mag), 65504.0), 0.0)) & 0xffffu);
}
fn pack_h(v: vec2f) -> u32 { return half_bits(v.x) | (half_bits(v.y) << 16u); }
@group(0) @binding(1) var<storage, read> fh_x: array<u32>;          // [...] f16 (⌈n/2⌉ words)
@group(0) @binding(2) var<storage, read_write> fh_y: array<u32>;    // same shape, f16
@compute @workgroup_size(256)
fn forward_h(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (2u * i >= p.n) { return; }
  let x = unpack2x16float(fh_x[i]);
  fh_y[i] = pack_h(vec2f(act(x.x), act(x.y)));
}
@group(0) @binding(1) var<storage, read> gh_gate: array<u32>;       // [..., I] f16 (⌈n/2⌉ words)
@group(0) @binding(2) var<storage, read> gh_up: array<u32>;         // [..., I] f16
@group(0) @binding(3) var<storage, read_write> gh_out: array<u32>;  // [..., I] f16
@compute @workgroup_size(256)
fn gated_forward_h(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (2u * i >= p.n) { return; }
  gh_out[i] = pack_h(vec2f(act(unpack2x16float(gh_gate[i]).x), act(unpack2x16float(gh_gate[i]).y)) * unpack2x16float(gh_up[i]));
}
