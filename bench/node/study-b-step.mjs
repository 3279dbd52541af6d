#!/usr/bin/env node
// Launcher of the Study B step benchmark in plain Node (Dawn + SwiftShader): registers tsx and the `?raw` WGSL
// loader the CLI uses (cli/wgsl-loader.mjs), then runs bench/node/study-b-step.ts with the same arguments.
// Usage: node bench/node/study-b-step.mjs [--quick] [--format q4|f32] [--layers 16] [--batch 6] [--seq 64]
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('../../cli/wgsl-loader.mjs', import.meta.url);
const { main } = await import('./study-b-step.ts');
let code = 1;
try {
  code = await main(process.argv.slice(2));
} catch (e) {
  console.error(`study-b-step FAILED: ${e instanceof Error ? e.stack : e}`);
}
// Dawn keeps native threads alive; exit explicitly.
process.exit(code);
