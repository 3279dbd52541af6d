// Rotary position embedding, Llama's rotate_half convention: element i of a head pairs with i + HS/2 (not
// interleaved). out₁ = x₁·cos − x₂·sin, out₂ = x₂·cos + x₁·sin. The backward is the rotation by −angle, the
// same kernel with sign = −1. One invocation per pair. Reference: rope.ref.ts. Flat indexing as in
// elementwise/grid.ts.

struct Params {
  n: u32,       // pairs: B·T·NH·(HS/2)
  T: u32,
  NH: u32,
  H2: u32,      // HS/2
  perRow: u32,  // 1: tables are [B, T, HS/2] (a position row per batch row); 0: [T, HS/2] shared
  sign: f32,    // +1 forward, −1 backward
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // [B, T, NH, HS]
@group(0) @binding(2) var<storage, read> cosT: array<f32>;       // [T, HS/2] or [B, T, HS/2]
@group(0) @binding(3) var<storage, read> sinT: array<f32>;       // [T, HS/2] or [B, T, HS/2]
@group(0) @binding(4) var<storage, read_write> y: array<f32>;    // [B, T, NH, HS]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k = (wg.y * nwg.x + wg.x) * 256u + lid.x;
  if (k >= p.n) { return; }
  let i = k % p.H2;
  let row = k / p.H2;          // (b·T + t)·NH + h
  let bt = row / p.NH;         // b·T + t
  var tab = (bt % p.T) * p.H2 + i;
  if (p.perRow == 1u) { tab = bt * p.H2 + i; }
  let c = cosT[tab];
  let s = p.sign * sinT[tab];
  let base = row * 2u * p.H2;
  let x1 = x[base + i];
  let x2 = x[base + i + p.H2];
  y[base + i] = x1 * c - x2 * s;
  y[base + i + p.H2] = x2 * c + x1 * s;
}
