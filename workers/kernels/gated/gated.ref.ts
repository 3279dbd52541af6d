// float64 reference of the gated units out = act(gate) ⊙ up (SwiGLU: act = silu; FLAN-T5 gated-GELU:
// act = tanh GELU) and their backward dGate = dOut ⊙ up ⊙ act'(gate), dUp = dOut ⊙ act(gate). The forward is
// activationInto (../activation), shared with the CPU backend's kernel.
import type { HostTensor } from '../../backend/backend';
import { actGradScalar, activationInto, type ActKind } from '../activation/activation.ref';
import { normalCdf } from '../activation/erf64';

type F = Float64Array;

export function gatedRef([gate, up]: readonly HostTensor[], kind: ActKind): HostTensor[] {
  const out = new Float64Array(gate.data.length);
  activationInto(kind, gate.data as F, out, up.data as F, normalCdf);
  // Of the inputs' dtype: an f16 output holds the exact value; storing it rounds to f16.
  return [{ shape: [...gate.shape], dtype: gate.dtype === 'f16' ? 'f16' : 'f32', data: out }];
}

export function gatedBackwardRef([gate, up, dOut]: readonly HostTensor[], kind: ActKind): HostTensor[] {
  const G = gate.data as F;
  const U = up.data as F;
  const D = dOut.data as F;
  const act = new Float64Array(G.length);
  activationInto(kind, G, act, null, normalCdf);
  const dGate = G.map((g, i) => D[i] * U[i] * actGradScalar(kind, g));
  const dUp = act.map((a, i) => D[i] * a);
  return [
    { shape: [...gate.shape], dtype: 'f32', data: dGate },
    { shape: [...gate.shape], dtype: 'f32', data: dUp },
  ];
}
