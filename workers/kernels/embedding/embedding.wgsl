// Row gather out[s, :] = table[ids[s], :] and its backward, the scatter-add dTable[v, :] = Σ_{s: ids[s] = v}
// dOut[s, :]. Reference: embedding.ref.ts. Ids outside [0, V) gather zeros and scatter nothing (a kernel
// cannot throw). WGSL has no float atomics, so the backward is deterministic and atomic-free: `links` finds
// for every position the next position with the same id and whether it is the first, then `scatter` lets the
// first occurrence walk that chain in position order for each column. Flat indexing as in elementwise/grid.ts.

struct Params {
  n: u32,  // invocations needed: S·C (gather, scatter), S (links), V·C (zero)
  S: u32,  // positions (numel of ids)
  C: u32,  // row width
  V: u32,  // table rows
}

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 256u + lid.x;
}

fn valid(id: i32) -> bool {
  return id >= 0 && u32(id) < p.V;
}

// ---- out = table[ids] ----------------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> g_table: array<f32>;        // [V, C]
@group(0) @binding(2) var<storage, read> g_ids: array<i32>;          // [S]
@group(0) @binding(3) var<storage, read_write> g_out: array<f32>;    // [S, C]

@compute @workgroup_size(256)
fn gather(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let s = i / p.C;
  let c = i % p.C;
  let id = g_ids[s];
  var v = 0.0;
  if (valid(id)) { v = g_table[u32(id) * p.C + c]; }
  g_out[i] = v;
}

// ---- links[s] = (next position with ids[s], or −1; 1 if s is the first position with ids[s]) ------------------
// O(S) per position, O(S²) in all: cheap next to the scatter for the few thousand positions of a batch.
@group(0) @binding(1) var<storage, read> l_ids: array<i32>;          // [S]
@group(0) @binding(2) var<storage, read_write> l_links: array<i32>;  // [S, 2]: next, isFirst

@compute @workgroup_size(256)
fn links(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let s = flat_index(wg, nwg, lid);
  if (s >= p.S) { return; }
  let id = l_ids[s];
  var next = -1;
  var first = 1;
  if (valid(id)) {
    for (var j = s + 1u; j < p.S; j++) {
      if (l_ids[j] == id) { next = i32(j); break; }
    }
    for (var j = 0u; j < s; j++) {
      if (l_ids[j] == id) { first = 0; break; }
    }
  } else {
    first = 0;
  }
  l_links[2u * s] = next;
  l_links[2u * s + 1u] = first;
}

// ---- dTable = 0 -----------------------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read_write> z_out: array<f32>;    // [V, C]

@compute @workgroup_size(256)
fn zero(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  z_out[i] = 0.0;
}

// ---- dTable[ids[s], c] = Σ over the chain of s (first occurrences only), summed pairwise ------------------
// The chain is summed in blocks of BLOCK terms that enter a binary-counter cascade (level k holds 2^k blocks),
// so each term passes through at most ~2·log2(chain) + BLOCK roundings on any driver: no compensation term a
// compiler could fold away, and a fixed order (deterministic).
const BLOCK: u32 = 4u;
var<private> stack: array<f32, 32>;
var<private> blocks: u32;

fn cascade_push(v: f32) {
  var s = v;
  var c = blocks;
  var k = 0u;
  while ((c & 1u) == 1u) {
    s = stack[k] + s;
    c = c >> 1u;
    k++;
  }
  stack[k] = s;
  blocks++;
}

fn cascade_total(tail: f32) -> f32 {
  var s = tail;
  for (var k = 0u; k < 32u; k++) {
    if (((blocks >> k) & 1u) == 1u) { s = stack[k] + s; }
  }
  return s;
}

@group(0) @binding(1) var<storage, read> s_ids: array<i32>;          // [S]
@group(0) @binding(2) var<storage, read> s_links: array<i32>;        // [S, 2]
@group(0) @binding(3) var<storage, read> s_dout: array<f32>;         // [S, C]
@group(0) @binding(4) var<storage, read_write> s_dtable: array<f32>; // [V, C], zeroed before

@compute @workgroup_size(256)
fn scatter(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let s = i / p.C;
  let c = i % p.C;
  if (s_links[2u * s + 1u] == 0) { return; }
  blocks = 0u;
  var blk = 0.0;
  var inBlk = 0u;
  var j = i32(s);
  while (j >= 0) {
    blk += s_dout[u32(j) * p.C + c];
    inBlk++;
    if (inBlk == BLOCK) {
      cascade_push(blk);
      blk = 0.0;
      inBlk = 0u;
    }
    j = s_links[2u * u32(j)];
  }
  s_dtable[u32(s_ids[s]) * p.C + c] = cascade_total(blk);
}
