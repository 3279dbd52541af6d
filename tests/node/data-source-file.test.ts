// A `file` data source in Node (the CLI): the exact bytes are read (a BOM included) and checked against the
// sha256 a spec pins, as the browser does for a picked file.
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataSource } from '../../workers/experiments/study-a/sources';

const ctx = {
  checkpoints: { save: async () => {}, load: async () => undefined },
  signal: new AbortController().signal,
} as never;

describe('readDataSource, file in Node', () => {
  it('reads the file and checks a pinned sha256 on its exact bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stereoscope-src-'));
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('word\tanger\nrage\t1\n')]);
    await writeFile(join(dir, 'lexicon.tsv'), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const name = join(dir, 'lexicon.tsv');
    expect(await readDataSource({ from: 'file', name, sha256 }, ctx, 'lexicon')).toContain('rage\t1');
    const wrong = sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await expect(readDataSource({ from: 'file', name, sha256: wrong }, ctx, 'lexicon')).rejects.toMatchObject({
      name: 'ChecksumError',
      message: expect.stringMatching(/lexicon \(.*lexicon\.tsv\)/),
    });
  });
});
