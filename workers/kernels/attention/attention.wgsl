// Fused grouped-query attention forward, one workgroup per query row (b, h, t):
//   scores[j] = scale · q[b, t, h, :] · k[b, j, h / group, :] + bias[h, t, j] (+ f32 min where masked)
//   probs = softmax(scores) with the row max subtracted;   out[b, t, h, :] = Σ_j probs[j] · v[b, j, h / group, :]
// q, k, v are read in their projection layout through strides. The probs row is written to global memory (it
// is the backward cache) and read back after a storage barrier for the probs·v product.

struct Params {
  T: u32, S: u32, NH: u32, NKV: u32,
  HS: u32, group: u32, scale: f32, causal: u32,     // group = NH / NKV; causal 0/1
  offset: i32, biasB: u32, hasBias: u32, hasMask: u32, // key j is causally masked when j > t + offset
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;           // [B, T, NH, HS]
@group(0) @binding(2) var<storage, read> k: array<f32>;           // [B, S, NKV, HS]
@group(0) @binding(3) var<storage, read> v: array<f32>;           // [B, S, NKV, HS]
@group(0) @binding(4) var<storage, read> bias: array<f32>;        // [1|B, NH, T, S] (bound to q when absent)
@group(0) @binding(5) var<storage, read> keyMask: array<f32>;     // [B, S] 1 keep / 0 pad (bound to q when absent)
@group(0) @binding(6) var<storage, read_write> out: array<f32>;   // [B, T, NH, HS]
@group(0) @binding(7) var<storage, read_write> probs: array<f32>; // [B, NH, T, S]

const WG = 64u;
// torch.finfo(float32).min: Hugging Face adds this (not −inf) to masked scores, so a fully masked row is uniform.
const MASK_MIN = -3.4028234663852886e38;

var<workgroup> qs: array<f32, 256>; // [HS] the query row
var<workgroup> red: array<f32, WG>; // reduction scratch

fn reduceMax(tid: u32, x: f32) -> f32 {
  red[tid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduceSum(tid: u32, x: f32) -> f32 {
  red[tid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] += red[tid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let t = wg.x;
  let h = wg.y;
  let b = wg.z;
  let kvh = h / p.group;
  let qBase = ((b * p.T + t) * p.NH + h) * p.HS;
  let row = ((b * p.NH + h) * p.T + t) * p.S;
  let biasRow = b * p.biasB + (h * p.T + t) * p.S;
  let kvStride = p.NKV * p.HS; // elements between consecutive keys
  let kvBase = (b * p.S * p.NKV + kvh) * p.HS;
  for (var d = tid; d < p.HS; d += WG) { qs[d] = q[qBase + d]; }
  workgroupBarrier();

  var mx = MASK_MIN; // identity of max for invocations without keys: no score (masked or not) is below it
  for (var j = tid; j < p.S; j += WG) {
    let kb = kvBase + j * kvStride;
    var dot = 0.0;
    for (var d = 0u; d < p.HS; d++) { dot += qs[d] * k[kb + d]; }
    var x = p.scale * dot;
    if (p.hasBias != 0u) { x += bias[biasRow + j]; }
    var masked = p.hasMask != 0u && keyMask[b * p.S + j] == 0.0;
    masked = masked || (p.causal != 0u && i32(j) > i32(t) + p.offset);
    if (masked) { x += MASK_MIN; }
    probs[row + j] = x;
    mx = max(mx, x);
  }
  mx = reduceMax(tid, mx);

  var sum = 0.0;
  for (var j = tid; j < p.S; j += WG) {
    let e = exp(probs[row + j] - mx);
    probs[row + j] = e;
    sum += e;
  }
  sum = reduceSum(tid, sum);
  for (var j = tid; j < p.S; j += WG) { probs[row + j] = probs[row + j] / sum; }
  storageBarrier();

  // out[d] = Σ_j probs[j]·v[j, d]: `lanes` invocations share each column and split the keys between them.
  for (var d0 = 0u; d0 < p.HS; d0 += WG) {
    let cols = min(WG, p.HS - d0);
    let lanes = WG / cols;
    var acc = 0.0;
    if (tid < lanes * cols) {
      let d = d0 + tid % cols;
      for (var j = tid / cols; j < p.S; j += lanes) { acc += probs[row + j] * v[kvBase + j * kvStride + d]; }
    }
    red[tid] = acc;
    workgroupBarrier();
    if (tid < cols) {
      var s = 0.0;
      for (var l = 0u; l < lanes; l++) { s += red[tid + l * cols]; }
      out[qBase + d0 + tid] = s;
    }
    workgroupBarrier();
  }
}
