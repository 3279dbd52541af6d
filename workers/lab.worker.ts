// The lab's Web Worker: exposes the shared lab host (workers/experiments/lab-host.ts) over comlink with the
// browser's WebGPU. All GPU work of the app happens here, off the main thread.
import * as Comlink from 'comlink';
import { createLabHost } from './experiments/lab-host';

const gpu = typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : undefined;
Comlink.expose(createLabHost({ gpu, transfer: Comlink.transfer }));
