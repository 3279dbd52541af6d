// openCheckpoint over HTTP (a local Hub stand-in with Range support) vs the local folder: every tensor of every
// fixture, sharded checkpoints, progress accounting, HF_ENDPOINT, and broken files failing with clear messages.
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  existsSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../models/load/checkpoint';
import { NotFoundError } from '../../models/load/errors';
import { dirSource } from '../../models/load/node-source';
import { resolveSource } from '../../models/load/resolve';
import { readHeader, writeSafetensors } from '../../models/load/safetensors';
import { hubSource, urlSource, type DownloadProgress } from '../../models/load/source';
import { startHubServer, type HubServer } from '../helpers/hub-server';
import { shared } from '../helpers/shared';
import { rawSafetensors } from '../helpers/safetensors-raw';

const FIXTURES = shared('fixtures');
const fixtures = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'model.safetensors')));

let server: HubServer;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'load-checkpoint-'));
  const repos: Record<string, string> = {};
  for (const f of fixtures) repos[`fixtures/${f}`] = join(FIXTURES, f);
  const bad = (name: string, bytes: Uint8Array) => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), '{"model_type":"broken"}');
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    repos[`bad/${name}`] = dir;
  };
  const good = readFileSync(join(FIXTURES, fixtures[0], 'model.safetensors'));
  bad('truncated', good.subarray(0, Math.floor(good.length * 0.6)));
  bad('past-end', rawSafetensors({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8));
  bad(
    'overlap',
    rawSafetensors(
      {
        a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
        b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
      },
      24,
    ),
  );
  bad('wrong-length', rawSafetensors({ w: { dtype: 'F32', shape: [3, 3], data_offsets: [0, 32] } }, 32));
  bad('short-header', good.subarray(0, 5));
  // A sharded copy of the first fixture: tensors split across two shards plus save_pretrained's index file.
  const sharded = join(tmp, 'sharded');
  mkdirSync(sharded);
  copyFileSync(join(FIXTURES, fixtures[0], 'config.json'), join(sharded, 'config.json'));
  const local = await openCheckpoint(dirSource(join(FIXTURES, fixtures[0])));
  const names = local.names().sort();
  const weightMap: Record<string, string> = {};
  const shardFiles = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  for (let s = 0; s < 2; s++) {
    const part = names.filter((_, i) => (i < names.length / 2 ? 0 : 1) === s);
    const tensors = await Promise.all(
      part.map(async (name) => ({
        name,
        dtype: 'F32' as const,
        shape: local.info(name).shape,
        data: await local.read(name),
      })),
    );
    writeFileSync(join(sharded, shardFiles[s]), writeSafetensors(tensors, { format: 'pt' }));
    for (const n of part) weightMap[n] = shardFiles[s];
  }
  writeFileSync(
    join(sharded, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
  );
  repos['bad/sharded'] = sharded;
  server = await startHubServer({ repos });
});

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('openCheckpoint over HTTP', () => {
  it.each(fixtures)('%s: every tensor equals the local read; progress adds up; ranges only', async (name) => {
    const events: DownloadProgress[] = [];
    const before = server.requests.length;
    const remote = await openCheckpoint(hubSource({ id: `fixtures/${name}`, endpoint: server.endpoint }), {
      onProgress: (p) => events.push(p),
    });
    const local = await openCheckpoint(dirSource(join(FIXTURES, name)));
    expect(remote.config).toEqual(JSON.parse(readFileSync(join(FIXTURES, name, 'config.json'), 'utf8')));
    expect(remote.names().sort()).toEqual(local.names().sort());
    let bytes = 0;
    for (const t of remote.names()) {
      expect(remote.info(t)).toEqual(local.info(t));
      const got = await remote.read(t);
      expect(got).toEqual(await local.read(t));
      expect(got.length).toBe(local.info(t).shape.reduce((a, b) => a * b, 1));
      bytes += remote.info(t).end - remote.info(t).begin;
    }
    const last = events[events.length - 1];
    expect(last.overallLoaded).toBe(bytes);
    expect(last.overallTotal).toBe(bytes);
    expect(last.loaded).toBe(last.total);
    expect(events.every((e, i) => i === 0 || e.overallLoaded >= events[i - 1].overallLoaded)).toBe(true);
    const gets = server.requests.slice(before).filter((r) => r.method === 'GET' && r.path.endsWith('.safetensors'));
    expect(gets.every((r) => r.range)).toBe(true); // never the whole file in one request
  });

  it('reads a sharded checkpoint through its index', async () => {
    const sharded = await openCheckpoint(hubSource({ id: 'bad/sharded', endpoint: server.endpoint }));
    const local = await openCheckpoint(dirSource(join(FIXTURES, fixtures[0])));
    expect(sharded.names().sort()).toEqual(local.names().sort());
    expect(new Set(sharded.names().map((n) => sharded.info(n).file)).size).toBe(2);
    for (const n of local.names()) expect(await sharded.read(n)).toEqual(await local.read(n));
  });

  it('also works through urlSource, and with a server that ignores Range', async () => {
    const plain = await startHubServer({
      repos: { [`fixtures/${fixtures[0]}`]: join(FIXTURES, fixtures[0]) },
      ignoreRange: true,
    });
    try {
      const base = `${plain.endpoint}/fixtures/${fixtures[0]}/resolve/main`;
      const ck = await openCheckpoint(urlSource({ baseUrl: base }));
      const local = await openCheckpoint(dirSource(join(FIXTURES, fixtures[0])));
      const n = local.names()[0];
      expect(await ck.read(n)).toEqual(await local.read(n));
    } finally {
      await plain.close();
    }
  });

  it('fails clearly on broken files', async () => {
    const open = (id: string) => openCheckpoint(hubSource({ id, endpoint: server.endpoint }));
    await expect(open('bad/truncated')).rejects.toThrow(/past the data region .*truncated file/);
    await expect(open('bad/past-end')).rejects.toThrow(/"w": data_offsets end 16 is past the data region \(8 bytes/);
    await expect(open('bad/overlap')).rejects.toThrow(/"a" and "b" overlap/);
    await expect(open('bad/wrong-length')).rejects.toThrow(/32 bytes in data_offsets but shape \[3,3\] × F32 needs 36/);
    await expect(open('bad/short-header')).rejects.toThrow(/shorter than the 8-byte header length/);
    await expect(open('nobody/nothing')).rejects.toThrow(NotFoundError);
    await expect(open('nobody/nothing')).rejects.toThrow(
      /config\.json not found at Hugging Face model nobody\/nothing.*HTTP 404/,
    );
    const src = hubSource({ id: `fixtures/${fixtures[0]}`, endpoint: server.endpoint });
    expect(await src.exists('nope.bin')).toBe(false);
    await expect(src.readRange('nope.bin', 0, 4)).rejects.toThrow(/nope\.bin not found/);
    await expect(readHeader(src, 'config.json')).rejects.toThrow(/not sane|header claims/);
    // A single-page-app host answers every path with its index.html and status 200.
    const spa: typeof fetch = async () =>
      new Response('<!doctype html><html></html>', {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    await expect(openCheckpoint(urlSource({ baseUrl: 'https://spa.example/m', fetch: spa }))).rejects.toThrow(
      /config\.json not found .*sent an HTML page instead/,
    );
  });

  it('resolveSource honours HF_ENDPOINT, @revision, URLs and local folders', async () => {
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = server.endpoint;
    try {
      const src = resolveSource(`fixtures/${fixtures[0]}@main`);
      expect(src.describe()).toContain(new URL(server.endpoint).host);
      expect(src.id).toBe(`fixtures/${fixtures[0]}@main`);
      const before = server.requests.length;
      const ck = await openCheckpoint(src);
      expect(ck.names().length).toBeGreaterThan(0);
      expect(server.requests.length).toBeGreaterThan(before);
      expect(server.requests[before].path).toBe(`/fixtures/${fixtures[0]}/resolve/main/config.json`);
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
    expect(resolveSource('org/name').describe()).toContain(saved ? new URL(saved).host : 'huggingface.co');
    expect(resolveSource('org/name', { endpoint: 'https://mirror.example' }).describe()).toContain('mirror.example');
    expect(resolveSource('https://example.org/models/x').describe()).toContain('example.org');
    const dir = resolveSource(join(FIXTURES, fixtures[0]));
    expect(dir.describe()).toContain('local folder');
    expect(await dir.exists('config.json')).toBe(true);
    await expect(dirSource(FIXTURES).readText('../etc/passwd')).rejects.toThrow(/outside/);
  });
});
