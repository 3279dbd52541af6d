// Concatenate along axis 1:  out[b, s, i] = s < S1 ? a[b, s, i] : c[b, s − S1, i]
// with a [B, S1, D], c [B, S2, D] (D = product of the trailing dims). Used to grow the KV cache while decoding.

struct Params {
  B: u32, S1: u32, S2: u32, D: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;            // [B, S1, D]
@group(0) @binding(2) var<storage, read> c: array<f32>;            // [B, S2, D]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;    // [B, S1 + S2, D]

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let S = p.S1 + p.S2;
  let total = p.B * S * p.D;
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= total) { return; }
  let i = idx % p.D;
  let s = (idx / p.D) % S;
  let b = idx / (p.D * S);
  if (s < p.S1) {
    out[idx] = a[(b * p.S1 + s) * p.D + i];
  } else {
    out[idx] = c[(b * p.S2 + (s - p.S1)) * p.D + i];
  }
}
