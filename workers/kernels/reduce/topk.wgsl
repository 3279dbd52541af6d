// Top-k of each row of X [rows, V], values descending, ties broken by the lower index (follows topkRef in
// reduce.ref.ts). One workgroup per row, in three steps that only ever count:
//  1. Map each value to a u32 key whose unsigned order is the float order (−0 folded onto +0), and find the
//     k-th largest key T bit by bit from the top: keep a bit when at least k keys are ≥ the candidate.
//  2. `need` = k − #(key > T) ties of T are taken; find the index bound I of the need-th tie the same way.
//  3. Gather key > T, or key = T with index ≤ I (exactly k elements, in any order) into workgroup memory and
//     bitonic-sort them by (key descending, index ascending).
// Cost: (32 + ⌈log2 V⌉ + 1) sweeps of the row, independent of k; k ≤ KMAX.

struct Params {
  rows: u32,
  V: u32,
  k: u32,
  idxBits: u32,  // ⌈log2 V⌉ rounded so that 2^idxBits ≥ V
  P: u32,        // sort size: the next power of two ≥ k
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;            // [rows, V]
@group(0) @binding(2) var<storage, read_write> vals: array<f32>;   // [rows, k]
@group(0) @binding(3) var<storage, read_write> inds: array<i32>;   // [rows, k]

override WG: u32 = 256u;  // invocations per row: rowWorkgroupSize in reduce/row-grid.ts
const KMAX = 1024u;

var<workgroup> total: atomic<u32>;
var<workgroup> fill: atomic<u32>;
var<workgroup> sel_key: array<u32, KMAX>;  // [P] selected keys, then sorted
var<workgroup> sel_idx: array<u32, KMAX>;  // [P] their column indices

fn key_of(x: f32) -> u32 {
  var b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) == 0u) { b = 0u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

// Sum of one u32 per invocation over the workgroup.
fn count_all(lid: u32, local: u32) -> u32 {
  if (lid == 0u) { atomicStore(&total, 0u); }
  workgroupBarrier();
  atomicAdd(&total, local);
  workgroupBarrier();
  let c = atomicLoad(&total);
  workgroupBarrier();
  return c;
}

// a comes before b in the output.
fn before(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.V;

  // 1. T = the largest key with #(key ≥ T) ≥ k, i.e. the k-th largest key.
  var thr = 0u;
  for (var b = 31i; b >= 0i; b--) {
    let cand = thr | (1u << u32(b));
    var local = 0u;
    for (var i = lid; i < p.V; i += WG) {
      if (key_of(X[base + i]) >= cand) { local++; }
    }
    if (count_all(lid, local) >= p.k) { thr = cand; }
  }

  // 2. I = the largest index with #(key = T, index < I) < need: the index of the need-th tie.
  var above = 0u;
  for (var i = lid; i < p.V; i += WG) {
    if (key_of(X[base + i]) > thr) { above++; }
  }
  let need = p.k - count_all(lid, above);
  var ibound = 0u;
  for (var b = i32(p.idxBits) - 1i; b >= 0i; b--) {
    let cand = ibound | (1u << u32(b));
    var local = 0u;
    for (var i = lid; i < min(cand, p.V); i += WG) {
      if (key_of(X[base + i]) == thr) { local++; }
    }
    if (count_all(lid, local) < need) { ibound = cand; }
  }

  // 3. Gather exactly k elements; pad to P with sentinels that sort last.
  if (lid == 0u) { atomicStore(&fill, 0u); }
  for (var j = lid; j < p.P; j += WG) {
    sel_key[j] = 0u;
    sel_idx[j] = 0xffffffffu;
  }
  workgroupBarrier();
  for (var i = lid; i < p.V; i += WG) {
    let kk = key_of(X[base + i]);
    if (kk > thr || (kk == thr && i <= ibound)) {
      let slot = atomicAdd(&fill, 1u);
      sel_key[slot] = kk;
      sel_idx[slot] = i;
    }
  }
  workgroupBarrier();

  // Bitonic sort of P entries; pair t compares positions i and i + stride.
  for (var size = 2u; size <= p.P; size <<= 1u) {
    for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
      for (var t = lid; t < p.P / 2u; t += WG) {
        let i = 2u * stride * (t / stride) + t % stride;
        let j = i + stride;
        let up = (i & size) == 0u;
        let ka = sel_key[i];
        let ia = sel_idx[i];
        let kb = sel_key[j];
        let ib = sel_idx[j];
        if (before(kb, ib, ka, ia) == up) {
          sel_key[i] = kb;
          sel_idx[i] = ib;
          sel_key[j] = ka;
          sel_idx[j] = ia;
        }
      }
      workgroupBarrier();
    }
  }

  for (var j = lid; j < p.k; j += WG) {
    let c = sel_idx[j];
    vals[row * p.k + j] = X[base + c];
    inds[row * p.k + j] = i32(c);
  }
}
