// AdamW update in place, in the operation order of torch.optim.AdamW (single-tensor path, amsgrad off):
//   g = grad·gradScale;  p ← p·(1 − lr·wd);  m ← m·β1 + (1 − β1)·g;  v ← v·β2 + (1 − β2)·g·g
//   p ← p − stepSize·m / (sqrt(v) / sqrt(1 − β2^t) + eps),   stepSize = lr / (1 − β1^t)
// The step-dependent scalars are computed on the CPU in float64 and arrive as f32 uniforms, as torch's
// Python scalars do.

struct Params {
  n: u32, rowStride: u32, decay: f32, beta1: f32,          // rowStride = invocations per workgroup row
  oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, stepSize: f32,
  bc2Sqrt: f32, eps: f32, gradScale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>; // [N]
@group(0) @binding(2) var<storage, read> grad: array<f32>;        // [N]
@group(0) @binding(3) var<storage, read_write> m: array<f32>;     // [N] first moment
@group(0) @binding(4) var<storage, read_write> v: array<f32>;     // [N] second moment

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.y * p.rowStride + gid.x;
  if (i >= p.n) { return; }
  let g = grad[i] * p.gradScale;
  let w = param[i] * p.decay;
  let mi = m[i] * p.beta1 + p.oneMinusBeta1 * g;
  let vi = v[i] * p.beta2 + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let denom = sqrt(vi) / p.bc2Sqrt + p.eps;
  param[i] = w - p.stepSize * mi / denom;
}
