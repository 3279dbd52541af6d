#!/usr/bin/env node
// Fails the build on files over the hard size budget and on imports that point up the layer stack
// (ARCHITECTURE.md). Warns on files over the soft budget. Test files may import anything.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SCAN = ['src', 'workers', 'models', 'cli', 'bench', 'scripts'];
const HARD = 600;
const SOFT = { '.ts': 400, '.svelte': 150, '.wgsl': 200, '.mjs': 400, '.js': 400 };

// A file under the first prefix must not import (value imports) from any of the listed prefixes.
const ENGINE = ['workers/gpu/', 'workers/backend/', 'workers/kernels/', 'workers/nn/', 'workers/train/', 'workers/engine/'];
const UP_FROM = {
  'workers/gpu/': ['workers/backend/', 'workers/kernels/', 'workers/engine/', 'workers/nn/', 'workers/train/', 'workers/experiments/', 'models/', 'src/', 'cli/'],
  'workers/backend/': ['workers/kernels/', 'workers/engine/', 'workers/nn/', 'workers/train/', 'workers/experiments/', 'models/', 'src/', 'cli/'],
  'workers/kernels/': ['workers/engine/', 'workers/nn/', 'workers/train/', 'workers/experiments/', 'models/', 'src/', 'cli/'],
  // Opens an engine for a host (gpu, backend, kernels): below the experiments, beside nn / train / models.
  'workers/engine/': ['workers/nn/', 'workers/train/', 'workers/experiments/', 'models/', 'src/', 'cli/'],
  'workers/nn/': ['workers/engine/', 'workers/train/', 'workers/experiments/', 'models/', 'src/', 'cli/'],
  'workers/train/': ['workers/engine/', 'workers/experiments/', 'models/', 'src/', 'cli/'],
  'workers/analysis/': [...ENGINE, 'workers/experiments/', 'models/', 'src/', 'cli/'],
  'models/load/': ['workers/engine/', 'workers/nn/', 'workers/train/', 'workers/experiments/', 'src/', 'cli/', 'models/xlmr/', 'models/llama/', 'models/t5/'],
  'models/': ['workers/engine/', 'workers/train/', 'workers/experiments/', 'src/', 'cli/'],
  'workers/experiments/': ['src/', 'cli/'],
  'src/': [...ENGINE, 'models/xlmr/', 'models/llama/', 'models/t5/', 'cli/'],
};

const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|svelte|wgsl|mjs|js)$/.test(name)) files.push(p);
  }
}
for (const d of SCAN) {
  try {
    walk(join(ROOT, d));
  } catch {
    /* folder not present yet */
  }
}

const errors = [];
const warnings = [];
for (const abs of files) {
  const rel = relative(ROOT, abs);
  const text = readFileSync(abs, 'utf8');
  const lines = text.split('\n').length;
  const ext = rel.slice(rel.lastIndexOf('.'));
  if (lines > HARD) errors.push(`${rel}: ${lines} lines (hard limit ${HARD})`);
  else if (lines > (SOFT[ext] ?? 400)) warnings.push(`${rel}: ${lines} lines (budget ${SOFT[ext] ?? 400})`);
  if (/\.test\.ts$/.test(rel) || ext === '.wgsl') continue;
  const layer = Object.keys(UP_FROM)
    .filter((p) => rel.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (!layer) continue;
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue; // type-only imports carry no code
    const spec = m[3] ?? m[4];
    if (!spec || !spec.startsWith('.')) continue;
    const target = relative(ROOT, resolve(dirname(abs), spec));
    const bad = UP_FROM[layer].find((p) => target.startsWith(p) && !(layer === 'models/' && target.startsWith('models/')));
    if (bad) errors.push(`${rel}: imports ${target} (${layer} must not depend on ${bad})`);
  }
}

for (const w of warnings) console.warn(`warning: ${w}`);
if (errors.length) {
  for (const e of errors) console.error(`error: ${e}`);
  console.error(`check-layers: ${errors.length} problem(s)`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, imports follow the layer order, none over ${HARD} lines`);
