// `stereoscope run <spec.json | share-link> [--out results.json]`: runs an experiment on Node's WebGPU (Dawn)
// with the same lab host as the browser worker, prints progress to stderr, and writes the run as the same JSON
// bundle the app exports (so it can be imported into the lab).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { getNodeGpu } from '../../workers/gpu/node-gpu';
import { createLabHost } from '../../workers/experiments/lab-host';
import {
  makeBundle,
  newRunId,
  type ArtifactRecord,
  type MetricSeries,
  type RunRecord,
} from '../../workers/contract/run-bundle';
import { parseSpec, type ExperimentSpec } from '../../workers/contract/specs/index';
import { decodeShareLink, isShareLink, parseJsonStrict } from '../../workers/contract/specs/share';

import { parseArgs, UsageError, type Command, type Io } from '../command';
import { BACKEND_USAGE, backendOption } from '../backend-option';
import type { ProgressEvent } from '../../workers/contract/progress';

export const runCommand: Command = {
  usage: `run <spec.json | share-link> [--out results.json] [--quiet] ${BACKEND_USAGE}`,
  summary: 'run an experiment headless and write its results',
  async run(args, io) {
    const { positional, options } = parseArgs(args, ['quiet']);
    if (positional.length !== 1) throw new UsageError('run needs exactly one spec file or share link');
    const spec = await loadSpec(positional[0]);
    const out = typeof options.out === 'string' ? options.out : 'results.json';
    const choice = backendOption(options);
    // Dawn is loaded only when WebGPU is tried: --backend cpu never touches it (a machine without a Vulkan driver
    // can still run inference).
    const lab = createLabHost({ gpu: getNodeGpu, backend: choice });
    const device = await lab.device();
    if (device.backend === 'cpu') io.err(`CPU backend (${device.reason}): ${device.note}\n`);
    else if (!device.webgpu) io.err(`No WebGPU in Node: ${device.reason}\n`);
    const id = newRunId();
    const series = new Map<string, [number, number][]>();
    const artifacts = new Map<string, ArtifactRecord>();
    const started = Date.now();
    const print = progressPrinter(io, options.quiet === true);
    io.err(
      `running ${spec.kind} (run ${id}) on ${device.info ? `${device.info.vendor} ${device.info.architecture}` : device.backend === 'cpu' ? 'the CPU backend' : 'no GPU'}\n`,
    );
    const outcome = await lab.run(
      { runId: id, spec },
      {
        progress(ev) {
          if (ev.type === 'metric')
            (series.get(ev.name) ?? series.set(ev.name, []).get(ev.name)!).push([ev.step, ev.value]);
          print(ev);
        },
        async save(key, bytes) {
          artifacts.set(key, { key, type: 'checkpoint', bytes: bytes.slice() });
        },
        async load(key) {
          return artifacts.get(key)?.bytes ?? null;
        },
      },
    );
    const run: RunRecord = {
      id,
      kind: spec.kind,
      title: spec.title ?? spec.kind,
      spec,
      status: outcome.ok ? 'done' : 'failed',
      createdAt: started,
      updatedAt: Date.now(),
      host: 'node',
      device: device.info
        ? `${device.info.vendor} ${device.info.architecture}`.trim()
        : device.backend === 'cpu'
          ? 'cpu'
          : undefined,
      ...(outcome.ok ? { result: outcome.result } : { error: outcome.error }),
    };
    const metricSeries: MetricSeries[] = [...series].map(([name, points]) => ({ name, points }));
    await mkdir(dirname(out) || '.', { recursive: true });
    await writeFile(out, JSON.stringify(makeBundle(run, metricSeries, [...artifacts.values()]), null, 1));
    if (!outcome.ok) {
      io.err(
        `failed: ${outcome.error.name}: ${outcome.error.message}${outcome.error.cause ? `\n  cause: ${outcome.error.cause}` : ''}\n`,
      );
      return 1;
    }
    io.err(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${outcome.result.summary}\nwrote ${join(out)}\n`);
    return 0;
  },
};

async function loadSpec(arg: string): Promise<ExperimentSpec> {
  if (isShareLink(arg)) return decodeShareLink(arg);
  const text = await readFile(arg, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(e.code === 'ENOENT' ? `no such spec file: ${arg}` : `cannot read ${arg}: ${e.message}`);
  });
  return parseSpec(parseJsonStrict(text));
}

function progressPrinter(io: Io, quiet: boolean): (ev: ProgressEvent) => void {
  const t0 = performance.now();
  return (ev) => {
    if (quiet && ev.type !== 'log') return;
    const s = ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
    switch (ev.type) {
      case 'phase':
        return io.err(`${s}s  ${ev.label}\n`);
      case 'step': {
        const eta = ev.step > 0 ? (((performance.now() - t0) / ev.step) * (ev.total - ev.step)) / 1000 : NaN;
        return io.err(
          `${s}s  step ${ev.step}/${ev.total}${ev.label ? ` ${ev.label}` : ''}${Number.isFinite(eta) ? `  eta ${eta.toFixed(0)} s` : ''}\n`,
        );
      }
      case 'download':
        return io.err(
          `${s}s  ${ev.label}: ${(ev.loaded / 1e6).toFixed(1)}${ev.total ? ` / ${(ev.total / 1e6).toFixed(1)}` : ''} MB\n`,
        );
      case 'metric':
        return io.err(`${s}s  ${ev.name}[${ev.step}] = ${ev.value.toPrecision(4)}\n`);
      case 'tokens':
        return io.err(`${s}s  ${ev.tokens} tokens\n`);
      case 'log':
        return io.err(`${s}s  ${ev.message}\n`);
    }
  };
}
