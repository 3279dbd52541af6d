// Measurement only (see attention.bench.ts): moves heads between the projection layout [B, L, NHsrc, HS] and
// the head-major layout [B, NH, L, HS] that a batched matmul needs, repeating kv heads `group` times (repeat_kv).
// inverse = 1 moves [B, NH, L, HS] back to [B, L, NH, HS] (group must be 1 then).

struct Params {
  L: u32, NH: u32, NHsrc: u32, HS: u32,
  group: u32, inverse: u32, total: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;       // [B, L, NHsrc, HS] (or [B, NH, L, HS] inverse)
@group(0) @binding(2) var<storage, read_write> dst: array<f32>; // [B, NH, L, HS]    (or [B, L, NH, HS] inverse)

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.total) { return; }
  let d = i % p.HS;
  let l = (i / p.HS) % p.L;
  let h = (i / (p.HS * p.L)) % p.NH;
  let b = i / (p.HS * p.L * p.NH);
  let projection = ((b * p.L + l) * p.NHsrc + h / p.group) * p.HS + d;
  if (p.inverse == 0u) { dst[i] = src[projection]; } else { dst[projection] = src[i]; }
}
