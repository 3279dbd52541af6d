// Attention backward, pass 2 of 2: one workgroup per key row (b, j, kvh), summing over the `group` query heads
// that share kv head kvh and over all query rows t:
//   dk[b, j, kvh, :] = scale · Σ_h Σ_t dS[b, h, t, j] · q[b, t, h, :]
//   dv[b, j, kvh, :] =         Σ_h Σ_t probs[b, h, t, j] · dOut[b, t, h, :]
// Each output element is owned by one workgroup, so no atomics are needed.

struct Params {
  T: u32, S: u32, NH: u32, NKV: u32,
  HS: u32, group: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;        // [B, T, NH, HS]
@group(0) @binding(2) var<storage, read> dOut: array<f32>;     // [B, T, NH, HS]
@group(0) @binding(3) var<storage, read> probs: array<f32>;    // [B, NH, T, S]
@group(0) @binding(4) var<storage, read> dS: array<f32>;       // [B, NH, T, S] from pass 1
@group(0) @binding(5) var<storage, read_write> dk: array<f32>; // [B, S, NKV, HS]
@group(0) @binding(6) var<storage, read_write> dv: array<f32>; // [B, S, NKV, HS]

const WG = 64u;

var<workgroup> redK: array<f32, WG>;
var<workgroup> redV: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let j = wg.x;
  let kvh = wg.y;
  let b = wg.z;
  let kvOut = ((b * p.S + j) * p.NKV + kvh) * p.HS;
  let rows = p.group * p.T; // (head, t) pairs contributing to this key
  for (var d0 = 0u; d0 < p.HS; d0 += WG) {
    let cols = min(WG, p.HS - d0);
    let lanes = WG / cols;
    var accK = 0.0;
    var accV = 0.0;
    if (tid < lanes * cols) {
      let d = d0 + tid % cols;
      for (var r = tid / cols; r < rows; r += lanes) {
        let h = kvh * p.group + r / p.T;
        let t = r % p.T;
        let s = ((b * p.NH + h) * p.T + t) * p.S + j;
        let x = ((b * p.T + t) * p.NH + h) * p.HS + d;
        accK += dS[s] * q[x];
        accV += probs[s] * dOut[x];
      }
    }
    redK[tid] = accK;
    redV[tid] = accV;
    workgroupBarrier();
    if (tid < cols) {
      var sk = 0.0;
      var sv = 0.0;
      for (var l = 0u; l < lanes; l++) {
        sk += redK[tid + l * cols];
        sv += redV[tid + l * cols];
      }
      dk[kvOut + d0 + tid] = p.scale * sk;
      dv[kvOut + d0 + tid] = sv;
    }
    workgroupBarrier();
  }
}
