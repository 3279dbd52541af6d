// Node-only source: a local folder laid out like a Hub repository (config.json, model.safetensors, tokenizer.json).
// Used by the CLI and the tests; the browser uses filesSource instead.
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LoadError, NotFoundError } from './errors';
import type { ModelSource } from './source';

export function dirSource(dir: string): ModelSource {
  const root = resolve(dir);
  const path = (file: string) => {
    const p = resolve(join(root, file));
    // Keep reads inside the folder: a checkpoint index must not point at ../../etc/passwd.
    if (!p.startsWith(root + '/') && p !== root) throw new LoadError(`${file} points outside ${root}`);
    return p;
  };
  const missing = (file: string, e: unknown): never => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${file} not found in ${root}`);
    throw e;
  };
  return {
    id: root,
    describe: () => `local folder ${root}`,
    async exists(file) {
      try {
        return (await stat(path(file))).isFile();
      } catch {
        return false;
      }
    },
    async size(file) {
      return (await stat(path(file)).catch((e) => missing(file, e))).size;
    },
    async readText(file) {
      return readFile(path(file), 'utf8').catch((e) => missing(file, e));
    },
    async readRange(file, start, end, opts) {
      const fh = await open(path(file), 'r').catch((e) => missing(file, e));
      try {
        const out = new Uint8Array(end - start);
        let at = 0;
        while (at < out.length) {
          const { bytesRead } = await fh.read(out, at, out.length - at, start + at);
          if (bytesRead === 0) throw new LoadError(`${file}: short read, got ${at} of ${out.length} bytes at ${start}`);
          at += bytesRead;
        }
        opts?.onBytes?.(out.length);
        return out;
      } finally {
        await fh.close();
      }
    },
  };
}
