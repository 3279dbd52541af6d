// The Node entry point of the bench (node/study-b-step.mjs, Study B's step on Dawn) as a child process with a time
// limit: its output is passed through indented, and a non-zero exit, a signal or the limit end the bench with a
// BenchFailure that repeats the last lines it printed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BenchFailure } from './failure';

export const NODE_STEP = 'study-b step (node, Dawn)';

export function runNodeStep(repo: string, args: string[], limitMs: number): Promise<void> {
  const script = join(repo, 'bench/node/study-b-step.mjs');
  console.log(`\n${NODE_STEP}: node bench/node/study-b-step.mjs ${args.join(' ')}`);
  const tail: string[] = [];
  const pass = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
    const lines = chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '');
    tail.push(...lines);
    tail.splice(0, Math.max(0, tail.length - 20));
    for (const l of lines) out.write(`  ${l}\n`);
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', pass(process.stdout));
    child.stderr.on('data', pass(process.stderr));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new BenchFailure(`${NODE_STEP}: did not finish within ${limitMs / 1000} s`));
    }, limitMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new BenchFailure(`${NODE_STEP}: could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new BenchFailure(
            `${NODE_STEP}: exited with ${signal ? `signal ${signal}` : `code ${code}`}; its last lines:\n${tail.join('\n')}`,
          ),
        );
    });
  });
}
