// Φ(x) to float32 accuracy for the CPU backend's GELU, with the fits of activation.wgsl (erf = z·P(z²) below 1,
// erfc = e^(−z²)·R(1/z) up to 9.5; |error| ≈ 1.2e-7). The float64 series of erf64.ts, which the reference uses,
// is exact but ~30× slower, and a float32 output cannot hold more than the fit gives.

function erfSmall(z: number): number {
  const u = z * z;
  const q = 0.00518125389 + u * (-0.000795378059 + u * 7.68084428e-5);
  return z * (1.12837911 + u * (-0.376126111 + u * (0.11283461 + u * (-0.0268495567 + u * q))));
}

function erfcLarge(z: number): number {
  if (z >= 9.5) return 0;
  const s = 1 / z;
  let r = -0.0509606339;
  r = r * s + 0.342930019;
  r = r * s - 1.0221256;
  r = r * s + 1.75471985;
  r = r * s - 1.85480011;
  r = r * s + 1.12021577;
  r = r * s - 0.168670893;
  r = r * s - 0.255398333;
  r = r * s - 0.0026637665;
  r = r * s + 0.564340949;
  r = r * s - 3.71447504e-6;
  return Math.exp(-z * z) * r;
}

export function normalCdfF32(x: number): number {
  const z = x * Math.SQRT1_2;
  const a = Math.abs(z);
  if (a < 1) return 0.5 + 0.5 * erfSmall(z);
  const t = 0.5 * erfcLarge(a);
  return z > 0 ? 1 - t : t;
}
