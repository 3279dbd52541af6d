// f32 ↔ f16 conversion (needs the `shader-f16` feature, hence its own module). Reference: castRef in
// elementwise.ref.ts (round to nearest even, as the f16 conversion of WGSL). Flat indexing as in grid.ts.
enable f16;

struct Params {
  n: u32,  // elements
}

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> to16_x: array<f32>;          // [...] (n elements)
@group(0) @binding(2) var<storage, read_write> to16_out: array<f16>;  // same shape

@compute @workgroup_size(256)
fn to_f16(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid.x;
  if (i >= p.n) { return; }
  to16_out[i] = f16(to16_x[i]);
}

@group(0) @binding(1) var<storage, read> to32_x: array<f16>;          // [...] (n elements)
@group(0) @binding(2) var<storage, read_write> to32_out: array<f32>;  // same shape

@compute @workgroup_size(256)
fn to_f32(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lid.x;
  if (i >= p.n) { return; }
  to32_out[i] = f32(to32_x[i]);
}
