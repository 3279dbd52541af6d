// Share-link codec: round trips for every kind, and hostile links (truncated, altered, newer version, huge,
// decompression bomb, non-JSON, prototype keys) refused with a message.
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { demoSpec, EXPERIMENT_KINDS, SpecError } from '../../workers/contract/specs/index';
import {
  decodeShareLink,
  decodeSpecPayload,
  MAX_PAYLOAD_CHARS,
  shareFragment,
  shareLink,
  toBase64Url,
} from '../../workers/contract/specs/share';

const enc = (text: string) => toBase64Url(deflateSync(new TextEncoder().encode(text)));

function refused(run: () => unknown, message: RegExp) {
  expect(run).toThrow(SpecError);
  expect(run).toThrow(message);
}

describe('share links', () => {
  it('round-trip every kind through a full link', () => {
    for (const kind of EXPERIMENT_KINDS) {
      const spec = demoSpec(kind);
      const link = shareLink(spec, 'https://lab.example.org/stereoscope/#old');
      expect(link.startsWith(`https://lab.example.org/stereoscope/#/x/${kind}/`)).toBe(true);
      expect(link.split('/').pop()).toMatch(/^[A-Za-z0-9_-]+$/); // payload is base64url: safe in any URL
      expect(decodeShareLink(link)).toEqual(spec);
      expect(decodeShareLink(shareFragment(spec))).toEqual(spec);
    }
  });

  it('carry a file source as its name and sha256 only, and decode it back', () => {
    const spec = {
      ...demoSpec('emotion-profiles'),
      lexicon: { from: 'file' as const, name: 'NRC-Emotion-Lexicon.txt', sha256: '0f'.repeat(32) },
    };
    const back = decodeShareLink(shareLink(spec, 'https://lab.example.org/'));
    expect(back).toEqual(spec);
    if (back.kind !== 'emotion-profiles') throw new Error('kind changed');
    expect(Object.keys(back.lexicon).sort()).toEqual(['from', 'name', 'sha256']);
  });

  it('refuse a truncated payload', () => {
    const frag = shareFragment(demoSpec('emotion-profiles'));
    for (const cut of [5, 20, frag.length - 10])
      refused(() => decodeShareLink(frag.slice(0, cut)), /truncated|damaged|not a Stereoscope|not valid/);
  });

  it('refuse a link whose kind was altered', () => {
    const frag = shareFragment(demoSpec('engine-check')).replace('/engine-check/', '/geo-unlearning/');
    refused(() => decodeShareLink(frag), /altered/);
  });

  it('refuse a newer spec version and an unknown kind', () => {
    const newer = { ...demoSpec('engine-check'), version: 2 };
    refused(() => decodeSpecPayload(enc(JSON.stringify(newer))), /newer version/);
    const alien = { ...demoSpec('engine-check'), kind: 'mind-reading' };
    refused(() => decodeSpecPayload(enc(JSON.stringify(alien))), /Unknown experiment kind/);
  });

  it('refuse non-JSON, non-object JSON, and invalid fields with their path', () => {
    refused(() => decodeSpecPayload(enc('not json {')), /not valid JSON/);
    refused(() => decodeSpecPayload(enc('[1,2,3]')), /JSON object/);
    refused(() => decodeSpecPayload(enc('null')), /JSON object/);
    const bad = { ...demoSpec('engine-check'), repeats: -1 };
    refused(() => decodeSpecPayload(enc(JSON.stringify(bad))), /repeats/);
    const extra = { ...demoSpec('engine-check'), evil: true };
    refused(() => decodeSpecPayload(enc(JSON.stringify(extra))), /not valid/);
  });

  it('refuse prototype keys at any depth', () => {
    const base = JSON.stringify(demoSpec('emotion-profiles'));
    refused(() => decodeSpecPayload(enc(base.replace('{', '{"__proto__":{"polluted":1},'))), /forbidden key/);
    refused(
      () => decodeSpecPayload(enc(base.replace('"profile":{', '"profile":{"constructor":{"prototype":{}},'))),
      /forbidden key/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuse characters outside base64url, too-long payloads and decompression bombs', () => {
    refused(() => decodeSpecPayload('abc+def/'), /characters/);
    refused(() => decodeSpecPayload('A'.repeat(MAX_PAYLOAD_CHARS + 1)), /too long/);
    const bomb = enc(`{"version":1,"kind":"engine-check","title":"${'a'.repeat(4_000_000)}"}`);
    expect(bomb.length).toBeLessThan(MAX_PAYLOAD_CHARS);
    refused(() => decodeSpecPayload(bomb), /more than/);
  });

  it('refuse random garbage without crashing', () => {
    refused(() => decodeSpecPayload('AAAA'), /damaged|truncated|not valid/);
    refused(() => decodeSpecPayload('A'), /damaged/);
    refused(() => decodeShareLink('https://lab.example.org/#/x/engine-check'), /not a Stereoscope share link/);
    refused(() => decodeSpecPayload(toBase64Url(deflateSync(new Uint8Array([0xff, 0xfe, 0x00])))), /UTF-8/);
  });
});
