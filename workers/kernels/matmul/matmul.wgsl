// Batched matmul  C[b, m, n] = alpha · Σ_k A[b, m, k] · B[b, k, n]   (f32 storage, f32 accumulation)
// A and B are addressed through strides, so the transposed forms backward needs (A·Bᵀ, Aᵀ·B) read the
// operands in place. A 16×16 workgroup computes a 64×64 tile of C; each invocation a 4×4 block, with the
// K loop stepping through 16-wide slabs staged in workgroup memory as vec4 rows. Since matmul-vec4.wgsl exists
// this kernel only runs for shapes whose contiguous axes are not multiples of 4 (see matmulVariant).

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  sAb: u32, sAm: u32, sAk: u32, sBb: u32,   // element strides of A (batch, row, k) and B's batch stride
  sBk: u32, sBn: u32, sCb: u32, alpha: f32,  // strides of B (k, col), C's batch stride, output scale
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // [batch, M, K] through strides
@group(0) @binding(2) var<storage, read> B: array<f32>;        // [batch | 1, K, N] through strides
@group(0) @binding(3) var<storage, read_write> C: array<f32>;  // [batch, M, N] contiguous

const BM = 64u;
const BN = 64u;
const BK = 16u;

var<workgroup> As: array<vec4f, 256>;  // [BK][BM/4]: four consecutive rows of A at one k
var<workgroup> Bs: array<vec4f, 256>;  // [BK][BN/4]: four consecutive columns of B at one k

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = wg.z;
  let row0 = wg.y * BM;
  let col0 = wg.x * BN;
  let tid = lid.y * 16u + lid.x;
  let aBase = b * p.sAb;
  let bBase = b * p.sBb;
  var acc: array<vec4f, 4>;

  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // Stage a BK×BM slab of A and a BK×BN slab of B: 1024 values each, four per invocation.
    for (var i = 0u; i < 4u; i++) {
      let idx = tid + i * 256u;
      let r = idx % BM;
      let k = idx / BM;
      let gk = k0 + k;
      let gm = row0 + r;
      var va = 0.0;
      if (gm < p.M && gk < p.K) { va = A[aBase + gm * p.sAm + gk * p.sAk]; }
      As[k * 16u + r / 4u][r % 4u] = va;
      let gn = col0 + r;
      var vb = 0.0;
      if (gn < p.N && gk < p.K) { vb = B[bBase + gk * p.sBk + gn * p.sBn]; }
      Bs[k * 16u + r / 4u][r % 4u] = vb;
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let a = As[k * 16u + lid.y];
      let bv = Bs[k * 16u + lid.x];
      acc[0] += a.x * bv;
      acc[1] += a.y * bv;
      acc[2] += a.z * bv;
      acc[3] += a.w * bv;
    }
    workgroupBarrier();
  }

  let cBase = b * p.sCb;
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + lid.x * 4u + j;
      if (n < p.N) { C[cBase + m * p.N + n] = p.alpha * acc[i][j]; }
    }
  }
}
