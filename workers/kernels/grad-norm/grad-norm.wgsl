// Sum of squares in two passes, accumulated into a one-element tensor (gradient norm for clipping).
//   partial: workgroup w sums x[i]² over a grid-stride range and writes dst[w]
//   finish:  one workgroup adds Σ src[0..n) into dst[0]    (src = the partials, dst = the accumulator)
// f32 throughout, like torch's per-tensor norms; the result only sets a clipping factor.

struct Params {
  n: u32, stride: u32, // stride = invocations in the whole grid
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;       // partial: x [N];  finish: partials [G]
@group(0) @binding(2) var<storage, read_write> dst: array<f32>; // partial: partials [G];  finish: acc [1]

const WG = 256u;
var<workgroup> red: array<f32, WG>;

fn reduce(tid: u32, x: f32) -> f32 {
  red[tid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] += red[tid + s]; }
    workgroupBarrier();
  }
  return red[0];
}

@compute @workgroup_size(WG)
fn partial(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = wg.x * WG + tid; i < p.n; i += p.stride) {
    let x = src[i];
    acc += x * x;
  }
  let total = reduce(tid, acc);
  if (tid == 0u) { dst[wg.x] = total; }
}

@compute @workgroup_size(WG)
fn finish(@builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = tid; i < p.n; i += WG) { acc += src[i]; }
  let total = reduce(tid, acc);
  if (tid == 0u) { dst[0] = dst[0] + total; }
}
