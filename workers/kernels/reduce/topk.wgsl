// Top-k of each row of X [rows, V], values descending, ties broken by the lower index (follows topkRef in
// reduce.ref.ts). One workgroup per row, in three steps:
//  1. Map each value to a u32 key whose unsigned order is the float order (−0 folded onto +0), and find the
//     k-th largest key T by radix select: four 8-bit digits from the top, each a workgroup histogram of the
//     keys that share the digits chosen so far, picking the digit where the count from the top reaches k.
//  2. `need` ties of T are taken (what is left of k after the keys above T); find the index I of the need-th
//     tie the same way over the index bits, counting from the smallest index.
//  3. Gather key > T, or key = T with index ≤ I (exactly k elements, in any order) into workgroup memory and
//     bitonic-sort them by (key descending, index ascending).
// Cost: 4 + ⌈log2 V / 8⌉ + 1 sweeps of the row (8 for V = 250,002), independent of k; k ≤ KMAX.

struct Params {
  rows: u32,
  V: u32,
  k: u32,
  idxBits: u32,  // bits needed to write V, so every index is < 2^idxBits
  P: u32,        // sort size: the next power of two ≥ k
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;            // [rows, V]
@group(0) @binding(2) var<storage, read_write> vals: array<f32>;   // [rows, k]
@group(0) @binding(3) var<storage, read_write> inds: array<i32>;   // [rows, k]

override WG: u32 = 256u;  // invocations per row: rowWorkgroupSize in reduce/row-grid.ts
const KMAX = 1024u;
const RADIX = 256u;

var<workgroup> hist: array<atomic<u32>, RADIX>;  // digit histogram of one radix level
var<workgroup> pick: vec2u;                        // (chosen digit, count still wanted) of one level
var<workgroup> fill: atomic<u32>;
var<workgroup> sel_key: array<u32, KMAX>;  // [P] selected keys, then sorted
var<workgroup> sel_idx: array<u32, KMAX>;  // [P] their column indices

fn key_of(x: f32) -> u32 {
  var b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) == 0u) { b = 0u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

// One radix level over the values v (keys, or for `ties` the indices of the keys equal to thr) with
// (v & mask) == prefix: histogram the digit (v >> shift) & 255, then walk the digits (largest first for keys,
// smallest first for indices) to the one where the running count reaches `want`.
// Returns (that digit, want − the count of the digits walked before it).
fn radix_level(base: u32, lid: u32, ties: bool, thr: u32, prefix: u32, mask: u32, shift: u32, want: u32) -> vec2u {
  for (var b = lid; b < RADIX; b += WG) { atomicStore(&hist[b], 0u); }
  workgroupBarrier();
  for (var i = lid; i < p.V; i += WG) {
    let key = key_of(X[base + i]);
    var v = key;
    if (ties) {
      if (key != thr) { continue; }
      v = i;
    }
    if ((v & mask) == prefix) { atomicAdd(&hist[(v >> shift) & 0xffu], 1u); }
  }
  workgroupBarrier();
  if (lid == 0u) {
    var before = 0u;
    var digit = 0u;
    for (var j = 0u; j < RADIX; j++) {
      let d = select(RADIX - 1u - j, j, ties);
      let c = atomicLoad(&hist[d]);
      if (before + c >= want) {
        digit = d;
        break;
      }
      before += c;
    }
    pick = vec2u(digit, want - before);
  }
  workgroupBarrier();
  let r = pick;
  workgroupBarrier();  // the next level rewrites hist and pick
  return r;
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

  // 1. T = the k-th largest key, one 8-bit digit at a time from the top.
  var thr = 0u;
  var mask = 0u;
  var want = p.k;
  for (var d = 0u; d < 4u; d++) {
    let shift = 24u - 8u * d;
    let r = radix_level(base, lid, false, 0u, thr, mask, shift, want);
    thr |= r.x << shift;
    mask |= 0xffu << shift;
    want = r.y;
  }

  // 2. `want` is now the number of ties of T to take; I = the index of the want-th tie.
  var ibound = 0u;
  mask = 0u;
  let levels = (p.idxBits + 7u) / 8u;
  for (var d = 0u; d < levels; d++) {
    let shift = 8u * (levels - 1u - d);
    let r = radix_level(base, lid, true, thr, ibound, mask, shift, want);
    ibound |= r.x << shift;
    mask |= 0xffu << shift;
    want = r.y;
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
