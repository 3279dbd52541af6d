// Feed-forward blocks: the plain two-layer MLP of XLM-R (dense → GELU → dense) and original T5 (ReLU), and the
// gated form of Llama (SwiGLU) and FLAN-T5 (gated-GELU): down(act(gate(x)) ⊙ up(x)).
import type { Backend, Tensor } from '../backend/backend';
import { gelu, geluBackward, relu, reluBackward } from '../kernels/activation/activation';
import { addScaled } from '../kernels/elementwise/elementwise';
import { gated, gatedBackward } from '../kernels/gated/gated';
import { disposeAll } from './param';
import {
  disposeProjectionCache,
  projectBackward,
  projectForward,
  type Projection,
  type ProjectionCache,
} from './projection';

export type Activation = 'gelu' | 'gelu_tanh' | 'relu' | 'silu';

export interface MlpCache {
  c1: ProjectionCache;
  c2: ProjectionCache;
  h: Tensor; // pre-activation [..., I]
  a: Tensor; // activation [..., I]
}

export class Mlp {
  constructor(
    public fc1: Projection,
    public fc2: Projection,
    readonly act: 'gelu' | 'gelu_tanh' | 'relu',
  ) {}

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: MlpCache }> {
    const p1 = await projectForward(be, this.fc1, x);
    const a =
      this.act === 'relu'
        ? await relu(be, p1.y)
        : await gelu(be, p1.y, { approximate: this.act === 'gelu' ? 'none' : 'tanh' });
    const p2 = await projectForward(be, this.fc2, a);
    return { y: p2.y, cache: { c1: p1.cache, c2: p2.cache, h: p1.y, a } };
  }

  async backward(be: Backend, dy: Tensor, c: MlpCache): Promise<Tensor> {
    const da = await projectBackward(be, this.fc2, dy, c.c2);
    const dh =
      this.act === 'relu'
        ? await reluBackward(be, c.h, da)
        : await geluBackward(be, c.h, da, { approximate: this.act === 'gelu' ? 'none' : 'tanh' });
    da.dispose();
    const dx = await projectBackward(be, this.fc1, dh, c.c1);
    dh.dispose();
    return dx;
  }

  disposeCache(c: MlpCache): void {
    disposeProjectionCache(this.fc1, c.c1);
    disposeProjectionCache(this.fc2, c.c2);
    disposeAll(c.h, c.a);
  }
}

export interface GatedMlpCache {
  cg: ProjectionCache;
  cu: ProjectionCache;
  cd: ProjectionCache;
  g: Tensor;
  u: Tensor;
  a: Tensor;
}

export class GatedMlp {
  constructor(
    public gate: Projection,
    public up: Projection,
    public down: Projection,
    readonly act: 'silu' | 'gelu' | 'gelu_tanh',
  ) {}

  async forward(be: Backend, x: Tensor): Promise<{ y: Tensor; cache: GatedMlpCache }> {
    const pg = await projectForward(be, this.gate, x);
    const pu = await projectForward(be, this.up, x);
    const a = await gated(be, pg.y, pu.y, { act: this.act });
    const pd = await projectForward(be, this.down, a);
    return { y: pd.y, cache: { cg: pg.cache, cu: pu.cache, cd: pd.cache, g: pg.y, u: pu.y, a } };
  }

  async backward(be: Backend, dy: Tensor, c: GatedMlpCache): Promise<Tensor> {
    const da = await projectBackward(be, this.down, dy, c.cd);
    const [dg, du] = await gatedBackward(be, c.g, c.u, da, { act: this.act });
    da.dispose();
    const dx = await projectBackward(be, this.gate, dg, c.cg);
    const dxu = await projectBackward(be, this.up, du, c.cu);
    disposeAll(dg, du);
    await addScaled(be, dx, dxu, 1);
    dxu.dispose();
    return dx;
  }

  disposeCache(c: GatedMlpCache): void {
    disposeProjectionCache(this.gate, c.cg);
    disposeProjectionCache(this.up, c.cu);
    disposeProjectionCache(this.down, c.cd);
    disposeAll(c.g, c.u, c.a);
  }
}
