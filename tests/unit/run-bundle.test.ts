// The run bundle as the app and the CLI exchange it (workers/contract/run-bundle.ts): a bundle survives JSON, and
// files that are not bundles, from a newer version, corrupt, or whose result is of another kind than their spec
// are refused with a message (the views read a result by its kind, so a mismatch would be read as the wrong shape).
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleError,
  makeBundle,
  readBundle,
  type RunRecord,
} from '../../workers/contract/run-bundle';
import { demoSpec } from '../../workers/contract/specs/index';

function engineCheckRun(): RunRecord {
  const spec = demoSpec('engine-check');
  const adapter = { vendor: 'google', architecture: 'swiftshader', description: 'test', f16: false, fallback: true };
  return {
    id: 'r1',
    kind: spec.kind,
    title: 'engine check',
    spec,
    status: 'done',
    createdAt: 1,
    updatedAt: 2,
    host: 'node',
    result: {
      kind: 'engine-check',
      summary: 'ok',
      tables: { cases: { columns: ['M'], rows: [[8]] } },
      adapter,
      cases: [],
    },
  };
}

const roundTrip = (run: RunRecord) =>
  JSON.parse(
    JSON.stringify(
      makeBundle(
        run,
        [{ name: 'gflops', points: [[0, 1]] }],
        [{ key: 'a', type: 'other', bytes: new Uint8Array([1, 255]) }],
      ),
    ),
  );

describe('run bundle', () => {
  it('reads back what it wrote, artifacts included', () => {
    const back = readBundle(roundTrip(engineCheckRun()));
    expect(back.run).toEqual(engineCheckRun());
    expect(back.series).toEqual([{ name: 'gflops', points: [[0, 1]] }]);
    expect(Array.from(back.artifacts[0].bytes)).toEqual([1, 255]);
  });

  it('refuses a file that is not a bundle, a newer bundle, and a corrupt one, each in words', () => {
    expect(() => readBundle([1, 2])).toThrow(/not a Stereoscope run bundle/);
    expect(() => readBundle({ format: 'other' })).toThrow(/"format" field is missing or different/);
    expect(() => readBundle({ ...roundTrip(engineCheckRun()), version: BUNDLE_VERSION + 1 })).toThrow(
      /newer version of Stereoscope/,
    );
    const broken = roundTrip(engineCheckRun());
    broken.run.status = 'exploded';
    expect(() => readBundle(broken)).toThrow(BundleError);
    expect(() => readBundle(broken)).toThrow(/corrupt:\nrun\.status/);
    expect(BUNDLE_FORMAT).toBe(roundTrip(engineCheckRun()).format);
  });

  it('refuses a result whose kind is not its spec’s', () => {
    const mixed = roundTrip(engineCheckRun());
    mixed.run.result.kind = 'geo-unlearning';
    expect(() => readBundle(mixed)).toThrow(/result is of kind "geo-unlearning" but its spec is "engine-check"/);
  });
});
