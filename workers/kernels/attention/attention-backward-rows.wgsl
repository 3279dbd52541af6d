// Attention backward, pass 1 of 2: one workgroup per query row (b, h, t).
//   dP[j] = dOut[b, t, h, :] · v[b, j, h / group, :]
//   dS[j] = probs[j] · (dP[j] − Σ_j' probs[j']·dP[j'])       (softmax backward; bias and masks live in probs)
//   dq[b, t, h, :] = scale · Σ_j dS[j] · k[b, j, h / group, :]
// dS is kept for pass 2 (attention-backward-cols.wgsl), which sums dk and dv over the query heads of a kv head.

struct Params {
  T: u32, S: u32, NH: u32, NKV: u32,
  HS: u32, group: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> probs: array<f32>;    // [B, NH, T, S]
@group(0) @binding(2) var<storage, read> dOut: array<f32>;     // [B, T, NH, HS]
@group(0) @binding(3) var<storage, read> k: array<f32>;        // [B, S, NKV, HS]
@group(0) @binding(4) var<storage, read> v: array<f32>;        // [B, S, NKV, HS]
@group(0) @binding(5) var<storage, read_write> dS: array<f32>; // [B, NH, T, S] d loss / d scores (before scale)
@group(0) @binding(6) var<storage, read_write> dq: array<f32>; // [B, T, NH, HS]

const WG = 64u;

var<workgroup> gs: array<f32, 256>; // [HS] the dOut row
var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let t = wg.x;
  let h = wg.y;
  let b = wg.z;
  let kvh = h / p.group;
  let qBase = ((b * p.T + t) * p.NH + h) * p.HS;
  let row = ((b * p.NH + h) * p.T + t) * p.S;
  let kvStride = p.NKV * p.HS;
  let kvBase = (b * p.S * p.NKV + kvh) * p.HS;
  for (var d = tid; d < p.HS; d += WG) { gs[d] = dOut[qBase + d]; }
  workgroupBarrier();

  var rowDot = 0.0;
  for (var j = tid; j < p.S; j += WG) {
    let vb = kvBase + j * kvStride;
    var dp = 0.0;
    for (var d = 0u; d < p.HS; d++) { dp += gs[d] * v[vb + d]; }
    dS[row + j] = dp;
    rowDot += probs[row + j] * dp;
  }
  red[tid] = rowDot;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] += red[tid + s]; }
    workgroupBarrier();
  }
  rowDot = red[0];
  workgroupBarrier();
  for (var j = tid; j < p.S; j += WG) { dS[row + j] = probs[row + j] * (dS[row + j] - rowDot); }
  storageBarrier();

  // dq[d] = scale · Σ_j dS[j]·k[j, d]: `lanes` invocations share each column and split the keys.
  for (var d0 = 0u; d0 < p.HS; d0 += WG) {
    let cols = min(WG, p.HS - d0);
    let lanes = WG / cols;
    var acc = 0.0;
    if (tid < lanes * cols) {
      let d = d0 + tid % cols;
      for (var j = tid / cols; j < p.S; j += lanes) { acc += dS[row + j] * k[kvBase + j * kvStride + d]; }
    }
    red[tid] = acc;
    workgroupBarrier();
    if (tid < cols) {
      var s = 0.0;
      for (var l = 0u; l < lanes; l++) { s += red[tid + l * cols]; }
      dq[qBase + d0 + tid] = p.scale * s;
    }
    workgroupBarrier();
  }
}
