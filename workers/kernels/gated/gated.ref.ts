// float64 reference of the gated units out = act(gate) ⊙ up (SwiGLU: act = silu; FLAN-T5 gated-GELU:
// act = tanh GELU) and their backward dGate = dOut ⊙ up ⊙ act'(gate), dUp = dOut ⊙ act(gate).
import type { HostTensor } from '../../backend/backend';
import { actGradScalar, actScalar, type ActKind } from '../activation/activation.ref';

type F = Float64Array;

export function gatedRef([gate, up]: readonly HostTensor[], kind: ActKind): HostTensor[] {
  const U = up.data as F;
  // Of the inputs' dtype: an f16 output holds the exact value; storing it rounds to f16.
  return [{ shape: [...gate.shape], dtype: gate.dtype === 'f16' ? 'f16' : 'f32', data: (gate.data as F).map((g, i) => actScalar(kind, g) * U[i]) }];
}

export function gatedBackwardRef([gate, up, dOut]: readonly HostTensor[], kind: ActKind): HostTensor[] {
  const G = gate.data as F;
  const U = up.data as F;
  const D = dOut.data as F;
  const dGate = G.map((g, i) => D[i] * U[i] * actGradScalar(kind, g));
  const dUp = G.map((g, i) => D[i] * actScalar(kind, g));
  return [
    { shape: [...gate.shape], dtype: 'f32', data: dGate },
    { shape: [...gate.shape], dtype: 'f32', data: dUp },
  ];
}
