// Flat elementwise kernels over f32 tensors, and the column sum used as their broadcast backward.
// Reference: elementwise.ref.ts. Each entry point names its own bindings (binding numbers repeat across entry
// points, never within one). Flat entry points index i = (wg.y · num_workgroups.x + wg.x) · 256 + lid.x so
// more than 65,535 workgroups fit (grid.ts).

struct Params {
  n: u32,      // elements of the output (for sum_to_shape: M, the columns kept)
  nb: u32,     // elements of b; b repeats every nb elements of a (trailing-dims broadcast). sum_to_shape: rows N
  alpha: f32,  // scale factor of scale / add_scaled
}

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(wg: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 256u + lid.x;
}

// ---- binary: out = a (op) b, b broadcast over a's leading dims --------------------------------------------
override OP: u32 = 0u;  // 0: add, 1: mul

@group(0) @binding(1) var<storage, read> bin_a: array<f32>;          // [..., M] (n elements)
@group(0) @binding(2) var<storage, read> bin_b: array<f32>;          // [M] trailing dims of a (nb elements)
@group(0) @binding(3) var<storage, read_write> bin_out: array<f32>;  // same shape as a

@compute @workgroup_size(256)
fn binary(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  let a = bin_a[i];
  let b = bin_b[i % p.nb];
  if (OP == 0u) { bin_out[i] = a + b; } else { bin_out[i] = a * b; }
}

// ---- scale: out = alpha · a ---------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> sc_a: array<f32>;          // [...] (n elements)
@group(0) @binding(2) var<storage, read_write> sc_out: array<f32>;  // same shape

@compute @workgroup_size(256)
fn scale(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  sc_out[i] = p.alpha * sc_a[i];
}

// ---- add_scaled: acc += alpha · x, in place -----------------------------------------------------------------
@group(0) @binding(1) var<storage, read_write> as_acc: array<f32>;  // [...] (n elements), updated in place
@group(0) @binding(2) var<storage, read> as_x: array<f32>;          // same shape

@compute @workgroup_size(256)
fn add_scaled(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid);
  if (i >= p.n) { return; }
  as_acc[i] = as_acc[i] + p.alpha * as_x[i];
}

// ---- sum_to_shape: out[m] = Σ_r x[r, m] ----------------------------------------------------------------------
// A workgroup owns COLS adjacent columns with LANES = 256 / COLS invocations per column. Lane l sums rows
// l, l + LANES, ... pairwise (cascade below), then the lanes combine in a fixed binary tree. Every element
// passes through at most ~2·log2(N) + BLOCK additions, so |error| ≤ that many roundings of Σ|x| on any driver:
// unlike Kahan compensation, nothing relies on the compiler keeping an algebraically-zero term. The order
// is fixed by the indices alone, so the result is deterministic.
override COLS: u32 = 16u;
override LANES: u32 = 256u / COLS;
const BLOCK: u32 = 4u;  // terms summed left to right before entering the pairwise cascade

@group(0) @binding(1) var<storage, read> sum_x: array<f32>;          // [N, M]  (N = nb rows, M = n columns)
@group(0) @binding(2) var<storage, read_write> sum_out: array<f32>;  // [M]

var<workgroup> partial: array<f32, 256>;  // [LANES][COLS]

// Cascade (binary-counter) pairwise summation: level k of `stack` holds the sum of 2^k blocks; pushing a block
// merges equal-sized neighbours like a carry, so the tree has depth log2(blocks) whatever the count.
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

@compute @workgroup_size(COLS, LANES)
fn sum_to_shape(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = wg.y * nwg.x + wg.x;
  let m = tile * COLS + lid.x;
  let cols = p.n;
  let rows = p.nb;
  blocks = 0u;
  var blk = 0.0;
  var inBlk = 0u;
  if (m < cols) {
    for (var r = lid.y; r < rows; r += LANES) {
      blk += sum_x[r * cols + m];
      inBlk++;
      if (inBlk == BLOCK) {
        cascade_push(blk);
        blk = 0.0;
        inBlk = 0u;
      }
    }
  }
  partial[lid.y * COLS + lid.x] = cascade_total(blk);
  workgroupBarrier();
  for (var half = LANES / 2u; half > 0u; half /= 2u) {
    if (lid.y < half) {
      partial[lid.y * COLS + lid.x] += partial[(lid.y + half) * COLS + lid.x];
    }
    workgroupBarrier();
  }
  if (lid.y == 0u && m < cols) { sum_out[m] = partial[lid.x]; }
}
