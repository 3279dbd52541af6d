#!/usr/bin/env node
// Fails the build on files over the hard size budget and on imports that break the layer order of ARCHITECTURE.md,
// type-only imports included (a type import is a dependency too: it makes the layer above a part of the contract of
// the one below). Every code file of the repository belongs to a layer with a rule; a file no rule covers is an
// error, so a new folder cannot slip past. Warns on files over the soft budget. Test files may import anything.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SCAN = ['src', 'workers', 'models', 'cli', 'bench', 'scripts', 'tests', 'bin', 'static'];
const HARD = 600;
const SOFT = { '.ts': 400, '.svelte': 150, '.wgsl': 200, '.mjs': 400, '.js': 400 };

// The engine's floors, bottom first: each may import the ones listed (and itself), nothing else.
const CONTRACT = 'workers/contract/';
const ANALYSIS = 'workers/analysis/';
const GPU = 'workers/gpu/';
const BACKEND = 'workers/backend/';
const KERNELS = 'workers/kernels/';
const NN = 'workers/nn/';
const TRAIN = 'workers/train/';
const ENGINE = 'workers/engine/';
const LOAD = 'models/load/';
const REGISTRY = 'models/registry.ts';
const MODELS = 'models/';
const EXPERIMENTS = 'workers/experiments/';
const BELOW_MODELS = [NN, KERNELS, BACKEND, GPU, ANALYSIS, CONTRACT];

/** Layer name → which files it holds and which path prefixes its files may import. */
const LAYERS = [
  { name: CONTRACT, holds: (f) => f.startsWith(CONTRACT), may: [] },
  { name: ANALYSIS, holds: (f) => f.startsWith(ANALYSIS), may: [CONTRACT] },
  { name: GPU, holds: (f) => f.startsWith(GPU), may: [CONTRACT] },
  { name: BACKEND, holds: (f) => f.startsWith(BACKEND), may: [GPU, CONTRACT] },
  { name: KERNELS, holds: (f) => f.startsWith(KERNELS), may: [BACKEND, GPU, CONTRACT] },
  { name: NN, holds: (f) => f.startsWith(NN), may: [KERNELS, BACKEND, GPU, ANALYSIS, CONTRACT] },
  { name: TRAIN, holds: (f) => f.startsWith(TRAIN), may: [NN, KERNELS, BACKEND, GPU, ANALYSIS, CONTRACT] },
  // Opens an engine for a host (gpu, backend, kernels): below the experiments, beside nn / train / models.
  { name: ENGINE, holds: (f) => f.startsWith(ENGINE), may: [KERNELS, BACKEND, GPU, CONTRACT] },
  { name: REGISTRY, holds: (f) => f === REGISTRY, may: [CONTRACT] },
  { name: LOAD, holds: (f) => f.startsWith(LOAD), may: [REGISTRY, BACKEND, GPU, ANALYSIS, CONTRACT] },
  { name: MODELS, holds: (f) => f.startsWith(MODELS), may: [MODELS, ...BELOW_MODELS] },
  { name: EXPERIMENTS, holds: (f) => f.startsWith(EXPERIMENTS), may: [MODELS, TRAIN, ENGINE, ...BELOW_MODELS] },
  {
    name: 'workers/*.worker.ts',
    holds: (f) => /^workers\/[^/]+\.worker\.ts$/.test(f),
    may: [EXPERIMENTS, ENGINE, CONTRACT],
  },
  // The main thread: the page–engine contract, the model registry (plain data) and the app's own static data.
  { name: 'src/', holds: (f) => f.startsWith('src/'), may: ['src/', CONTRACT, REGISTRY, 'static/'] },
  { name: 'cli/', holds: (f) => f.startsWith('cli/'), may: ['cli/', 'workers/', MODELS] },
  { name: 'bin/', holds: (f) => f.startsWith('bin/'), may: ['cli/'] },
  { name: 'bench/', holds: (f) => f.startsWith('bench/'), may: ['bench/', 'workers/', MODELS, 'vite.config.ts'] },
  {
    name: 'scripts/',
    holds: (f) => f.startsWith('scripts/'),
    may: ['scripts/', 'workers/', MODELS, 'static/', 'tests/', 'vite.config.ts'],
  },
  { name: 'tests/', holds: (f) => f.startsWith('tests/'), may: null },
  // Files the app serves as they are (static/demo is generated); none of them imports project code.
  { name: 'static/', holds: (f) => f.startsWith('static/'), may: [] },
];

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
    /* folder not present */
  }
}

// import/export … from '…' (value or type), side-effect imports, import('…') in code and in type positions.
const IMPORT =
  /^\s*(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

const errors = [];
const warnings = [];
let checked = 0;
/** Module graph of the code that is not a test, for the cycle check below. */
const graph = new Map();
for (const abs of files) {
  const rel = relative(ROOT, abs);
  const text = readFileSync(abs, 'utf8');
  const lines = text.split('\n').length;
  const ext = rel.slice(rel.lastIndexOf('.'));
  const generated = rel.startsWith('static/demo/');
  if (!generated && lines > HARD) errors.push(`${rel}: ${lines} lines (hard limit ${HARD})`);
  else if (!generated && lines > (SOFT[ext] ?? 400))
    warnings.push(`${rel}: ${lines} lines (budget ${SOFT[ext] ?? 400})`);
  // Test and vitest-bench files may import anything (helpers, fixtures); shaders import nothing.
  if (/\.(test|bench)\.ts$/.test(rel) || ext === '.wgsl') continue;
  const layer = LAYERS.find((l) => l.holds(rel));
  if (!layer) {
    errors.push(`${rel}: no layer rule covers this file (add one to scripts/check-layers.mjs and ARCHITECTURE.md)`);
    continue;
  }
  checked++;
  if (layer.may === null) continue;
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || !spec.startsWith('.')) continue;
    const target = relative(ROOT, resolve(dirname(abs), spec.split('?')[0]));
    const file = [target, `${target}.ts`, `${target}/index.ts`].find((t) => files.includes(join(ROOT, t)));
    if (file) (graph.get(rel) ?? graph.set(rel, new Set()).get(rel)).add(file);
    const own = layer.holds(target) || layer.holds(`${target}.ts`);
    // `…/lab.worker.ts?worker&url` is the URL of the worker bundle (an asset the page starts), not its code.
    const workerUrl = /\?worker\b/.test(spec) && /^workers\/[^/]+\.worker\.ts$/.test(target);
    const allowed =
      own || workerUrl || layer.may.some((p) => target === p || `${target}.ts` === p || target.startsWith(p));
    if (!allowed)
      errors.push(`${rel}: imports ${target} (${layer.name} may import only ${layer.may.join(', ') || 'itself'})`);
  }
}

// Import cycles inside a layer (the layer order cannot see them): modules that need each other are one module.
// Recursive components (a field that renders a list of fields) are cycles by nature; only modules are checked.
for (const cycle of cyclesOf(graph).filter((c) => !c.every((f) => f.endsWith('.svelte'))))
  errors.push(`import cycle: ${cycle.join(' → ')} → ${cycle[0]}`);

/** Strongly connected components with more than one module (Tarjan), each as a list of files. */
function cyclesOf(g) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.reverse());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

for (const w of warnings) console.warn(`warning: ${w}`);
if (errors.length) {
  for (const e of errors) console.error(`error: ${e}`);
  console.error(`check-layers: ${errors.length} problem(s)`);
  process.exit(1);
}
console.log(
  `check-layers: ${files.length} files, ${checked} in layers; imports (type imports too) follow the layer order, none over ${HARD} lines`,
);
