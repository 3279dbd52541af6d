// Measurement only (see attention.bench.ts): in-place softmax of one score row per workgroup, with the
// padding and causal masks of attention.wgsl, for the composed (matmul → softmax → matmul) variant.

struct Params {
  T: u32, S: u32, NH: u32, causal: u32,
  offset: i32, hasMask: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> scores: array<f32>; // [B, NH, T, S]
@group(0) @binding(2) var<storage, read> keyMask: array<f32>;      // [B, S]

const WG = 64u;
const MASK_MIN = -3.4028234663852886e38;
var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let t = wg.x;
  let b = wg.z;
  let row = ((b * p.NH + wg.y) * p.T + t) * p.S;
  var mx = MASK_MIN;
  for (var j = tid; j < p.S; j += WG) {
    var x = scores[row + j];
    let masked = (p.hasMask != 0u && keyMask[b * p.S + j] == 0.0) || (p.causal != 0u && i32(j) > i32(t) + p.offset);
    if (masked) { x += MASK_MIN; }
    scores[row + j] = x;
    mx = max(mx, x);
  }
  red[tid] = mx;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
    workgroupBarrier();
  }
  mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = tid; j < p.S; j += WG) {
    let e = exp(scores[row + j] - mx);
    scores[row + j] = e;
    sum += e;
  }
  red[tid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] += red[tid + s]; }
    workgroupBarrier();
  }
  sum = red[0];
  for (var j = tid; j < p.S; j += WG) { scores[row + j] = scores[row + j] / sum; }
}
