// Compute pipelines cached by (shader source, entry point, override constants): compiling costs 0.2–1 s on
// SwiftShader, so every distinct pipeline is built once per device.

export type OverrideConstants = Record<string, number>;

export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  private moduleIds = new Map<string, number>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(code: string, entryPoint: string, constants: OverrideConstants = {}, label = entryPoint): GPUComputePipeline {
    let id = this.moduleIds.get(code);
    if (id === undefined) {
      id = this.moduleIds.size;
      this.moduleIds.set(code, id);
      this.modules.set(code, this.device.createShaderModule({ code, label }));
    }
    const keys = Object.keys(constants).sort();
    const key = `${id}|${entryPoint}|${keys.map((k) => `${k}=${constants[k]}`).join(',')}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline({
        label,
        layout: 'auto',
        compute: { module: this.modules.get(code)!, entryPoint, constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }
}
