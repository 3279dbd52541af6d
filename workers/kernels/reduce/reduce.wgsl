// Row reductions of X [rows, V] to Y [rows] (sum, max, logsumexp, sum of squares), and the first pass of a
// whole-tensor sum. Follows reduce.ref.ts. Each invocation folds a strided slice of its row sequentially, then
// the workgroup combines the 256 partials with a tree, so a 250,002-wide row adds ~977 terms per chain and
// 8 levels of pairs instead of one 250,002-long chain. logsumexp keeps (max, Σexp(x − max)) pairs throughout.

struct Params {
  rows: u32,    // number of rows (rows entry) or unused
  V: u32,       // row length (rows entry) or total element count N (partial entry)
  groups: u32,  // workgroups of the partial entry
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;        // [rows, V]  or [N]
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;  // [rows]     or [groups]

// 0 sum, 1 max, 2 logsumexp, 3 sum of squares (the partial entry takes 0 or 3).
override OP: u32 = 0u;
override WG: u32 = 256u;  // invocations per row: rowWorkgroupSize in reduce/row-grid.ts

var<workgroup> red_m: array<f32, WG>;  // running value (sum, max, or the max of a logsumexp pair)
var<workgroup> red_s: array<f32, WG>;  // Σ exp(x − max) of a logsumexp pair

fn combine(a_m: f32, a_s: f32, b_m: f32, b_s: f32) -> vec2f {
  if (OP == 1u) { return vec2f(max(a_m, b_m), 0.0); }
  if (OP == 2u) {
    let m = max(a_m, b_m);
    return vec2f(m, a_s * exp(a_m - m) + b_s * exp(b_m - m));
  }
  return vec2f(a_m + b_m, 0.0);
}

// Tree over the workgroup; every invocation gets the result.
fn tree(lid: u32, v: vec2f) -> vec2f {
  red_m[lid] = v.x;
  red_s[lid] = v.y;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let c = combine(red_m[lid], red_s[lid], red_m[lid + s], red_s[lid + s]);
      red_m[lid] = c.x;
      red_s[lid] = c.y;
    }
    workgroupBarrier();
  }
  let r = vec2f(red_m[0], red_s[0]);
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.V;
  // max and logsumexp start from a real element of the row (no ±inf sentinels, which WGSL does not promise).
  var m = X[base + min(lid, p.V - 1u)];
  var s = 0.0;
  if (OP == 0u || OP == 3u) { m = 0.0; }
  for (var i = lid; i < p.V; i += WG) {
    let x = X[base + i];
    if (OP == 0u) { m += x; }
    else if (OP == 3u) { m += x * x; }
    else if (OP == 1u) { m = max(m, x); }
    else if (x > m) { s = s * exp(m - x) + 1.0; m = x; }
    else { s += exp(x - m); }
  }
  let r = tree(lid, vec2f(m, s));
  if (lid == 0u) {
    if (OP == 2u) { Y[row] = r.x + log(r.y); } else { Y[row] = r.x; }
  }
}

// Pass 1 of sumAll: workgroup g folds elements g·WG + lid + j·groups·WG; pass 2 is `rows` with OP 0 over [1, groups].
@compute @workgroup_size(WG)
fn partial(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = wg.x * WG + lid; i < p.V; i += p.groups * WG) {
    let x = X[i];
    if (OP == 3u) { acc += x * x; } else { acc += x; }
  }
  let r = tree(lid, vec2f(acc, 0.0));
  if (lid == 0u) { Y[wg.x] = r.x; }
}
