// The Node host's GPU object: Dawn through the `webgpu` npm package.
// Dawn's GPU object must stay referenced for the whole process (if it is garbage-collected the process crashes),
// so it lives in a module-level variable and is created once.
import { create, globals } from 'webgpu';

let nodeGpu: GPU | null = null;

export function getNodeGpu(): GPU {
  if (!nodeGpu) {
    Object.assign(globalThis, globals);
    // SwiftShader's Vulkan ICD ships inside Debian's chromium package; Dawn needs a Vulkan driver to run anything.
    if (!process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
    nodeGpu = create([]) as unknown as GPU;
  }
  return nodeGpu;
}
