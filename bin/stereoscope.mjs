#!/usr/bin/env node
// `npx stereoscope …`: the headless runner. Plain Node cannot import TypeScript or Vite's `?raw` WGSL imports,
// so this entry registers tsx and a small `?raw` loader hook (cli/wgsl-loader.mjs), then runs cli/main.ts.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('../cli/wgsl-loader.mjs', import.meta.url);
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
// Dawn keeps native threads alive; exit explicitly once the command is done.
process.exit(code);
