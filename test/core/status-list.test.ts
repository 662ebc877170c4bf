import { getListFromStatusListJWT, getStatusListFromJWT, StatusList } from '@sd-jwt/jwt-status-list';
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  compressBytes,
  decodePackedList,
  decodeRevisionListClaims,
  decodeStatusListClaims,
  inflateCapped,
  MAX_INFLATED_LIST_BYTES,
  packList,
  revisionListUri,
  signRevisionList,
  signStatusList,
  STATUS_LIFETIME_S,
  STATUS_TTL_S,
  STATUS_VALUE,
  statusAt,
  statusListUri,
} from '../../src/core/index.ts';
import { newProgramme, publish, T0, type Programme } from '../support/programme.ts';

const URI = 'https://verify.qdyp.example/api/v1/status-list';
const REVISION_URI = 'https://verify.qdyp.example/api/v1/revision-list';
let p: Programme;

beforeAll(async () => {
  p = await newProgramme();
});

/** A small deterministic generator, so the "random" list is the same in every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('status list', () => {
  it('statuses round-trip through @sd-jwt/jwt-status-list’s own reader', async () => {
    const statuses = [0, STATUS_VALUE.valid, STATUS_VALUE.revoked, STATUS_VALUE.suspended, 0, 1, 2, 2, 1];
    const jwt = await signStatusList(statuses, { uri: URI, time: T0 }, p.keys[0]!.signer);
    const list = getListFromStatusListJWT(jwt);
    expect(statuses.map((_, i) => list.getStatus(i))).toEqual(statuses);
    expect(list.getBitsPerStatus()).toBe(2);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', typ: 'statuslist+jwt', kid: p.keys[0]!.signer.kid });
    const iat = T0.getTime() / 1000;
    expect(decodeJwt(jwt)).toMatchObject({ sub: URI, iat, exp: iat + STATUS_LIFETIME_S, ttl: STATUS_TTL_S });
    expect(STATUS_LIFETIME_S).toBe(14 * 24 * 60 * 60);
  });

  it('a licence’s status reference resolves through the library too', async () => {
    const jwt = await signStatusList([0, 0, 0, 2], { uri: URI, time: T0 }, p.keys[0]!.signer);
    const reference = { status: { status_list: { idx: 3, uri: URI } } };
    const fakeCredential = `e30.${btoa(JSON.stringify(reference)).replace(/=+$/, '')}.`;
    expect(getStatusListFromJWT(fakeCredential)).toEqual({ idx: 3, uri: URI });
    expect(getListFromStatusListJWT(jwt).getStatus(3)).toBe(STATUS_VALUE.suspended);
  });

  it('decodes what it signed, and says null past the end of the list', async () => {
    const jwt = await signStatusList([0, 1, 2], { uri: URI, time: T0 }, p.keys[0]!.signer);
    const decoded = await decodeStatusListClaims(decodeJwt(jwt));
    // The format counts whole bytes: three 2-bit entries publish four (the fourth valid). A
    // serial there has no revision or entry, so it verifies as cannot_confirm.
    expect([0, 1, 2, 3, 4].map((i) => statusAt(decoded, i))).toEqual([0, 1, 2, 0, null]);
    expect(decoded).toMatchObject({ iat: T0.getTime() / 1000, ttl: 60, bits: 2, size: 4 });
    expect([-1, 0.5, Number.NaN, 2 ** 32].map((i) => statusAt(decoded, i))).toEqual([null, null, null, null]);
  });

  it('builds the URIs from the origin, lower-cased', () => {
    expect(statusListUri('HTTPS://V.QDYP.CN')).toBe('https://v.qdyp.cn/api/v1/status-list');
    expect(revisionListUri('HTTPS://V.QDYP.CN')).toBe('https://v.qdyp.cn/api/v1/revision-list');
  });

  it('refuses claims that are not a 2-bit list', async () => {
    const claims = decodeJwt(await signStatusList([0, 1], { uri: URI, time: T0 }, p.keys[0]!.signer)) as Record<string, unknown>;
    const list = claims.status_list as { bits: number; lst: string };
    for (const bad of [
      { ...claims, status_list: { ...list, bits: 1 } },
      { ...claims, status_list: { ...list, lst: '!!not-deflate!!' } },
      { ...claims, iat: '2026-11-27' },
      // A safe integer, but no Date can hold it: must not reach a verdict's "status as of".
      { ...claims, iat: 9e12 },
      null,
    ]) {
      await expect(decodeStatusListClaims(bad)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    }
    // A revision list is not a status list, nor the other way round.
    const revisions = decodeJwt(await signRevisionList([0, 1], { uri: REVISION_URI, time: T0 }, p.keys[0]!.signer));
    await expect(decodeStatusListClaims(revisions)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(decodeRevisionListClaims(claims)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });

  it('the trust context reads a published list', async () => {
    const ctx = await buildTrustContext(await publish(p), { root: p.root });
    expect(ctx.statusList).toMatchObject({ iat: T0.getTime() / 1000, ttl: STATUS_TTL_S, bits: 2 });
    expect(ctx.revisionList).toMatchObject({ iat: T0.getTime() / 1000, ttl: STATUS_TTL_S, bits: 8 });
  });

  it('100,000 licences with 1% revoked at random sign to at most 3.5 KB (P4)', async () => {
    const random = mulberry32(2026);
    const statuses = new Uint8Array(100_000);
    let revoked = 0;
    while (revoked < 1000) {
      const i = Math.floor(random() * statuses.length);
      if (statuses[i] === 0) {
        statuses[i] = STATUS_VALUE.revoked;
        revoked++;
      }
    }
    const jwt = await signStatusList(statuses, { uri: URI, time: T0 }, p.keys[0]!.signer);
    expect(jwt.length).toBeLessThanOrEqual(3584);
    const list = getListFromStatusListJWT(jwt);
    for (let i = 0; i < statuses.length; i += 997) expect(list.getStatus(i)).toBe(statuses[i]);
  });
});

describe('revision list', () => {
  it('signs 8-bit values under its own typ, readable by the library', async () => {
    const revisions = [0, 1, 2, 255, 0, 17];
    const jwt = await signRevisionList(revisions, { uri: REVISION_URI, time: T0 }, p.keys[0]!.signer);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', typ: 'qdyp-revision-list+jwt', kid: p.keys[0]!.signer.kid });
    const iat = T0.getTime() / 1000;
    expect(decodeJwt(jwt)).toMatchObject({ sub: REVISION_URI, iat, exp: iat + STATUS_LIFETIME_S, ttl: STATUS_TTL_S, status_list: { bits: 8 } });
    const list = getListFromStatusListJWT(jwt);
    expect(revisions.map((_, i) => list.getStatus(i))).toEqual(revisions);
    const decoded = await decodeRevisionListClaims(decodeJwt(jwt));
    expect([...revisions, 0].map((_, i) => statusAt(decoded, i))).toEqual([...revisions, null]);
  });

  it('refuses values that do not fit', async () => {
    for (const bad of [[256], [-1], [1.5], [Number.NaN]]) {
      await expect(signRevisionList(bad, { uri: REVISION_URI, time: T0 }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    }
    await expect(signStatusList([4], { uri: URI, time: T0 }, p.keys[0]!.signer)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });
});

describe('reading lists in place', () => {
  const random = mulberry32(10);
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 255, 1000, 4097, 65_537, 200_000, ...Array.from({ length: 2 }, () => 1 + Math.floor(random() * 200_000))];

  it.each([2, 8] as const)('agrees with @sd-jwt/jwt-status-list on random %i-bit lists of 1…200,000 entries', async (bits) => {
    for (const size of sizes) {
      const values = Array.from({ length: size }, () => (random() < 0.3 ? Math.floor(random() * 2 ** bits) : 0));
      // The library's own encoding, read by us; ours, read by the library.
      const theirs = new StatusList(values, bits).compressStatusList();
      const ours = await decodePackedList(theirs, bits);
      const library = StatusList.decompressStatusList(theirs, bits);
      // Whole bytes: the list reads as long as its bytes hold, the padding as 0.
      expect(ours.size).toBe(library.statusList.length);
      expect(ours.size).toBe(Math.ceil((size * bits) / 8) * (8 / bits));
      for (let i = 0; i < ours.size; i++) {
        if (statusAt(ours, i) !== library.getStatus(i)) expect.fail(`size ${size}, index ${i}: ${statusAt(ours, i)} ≠ ${library.getStatus(i)}`);
      }
      expect(statusAt(ours, ours.size)).toBeNull();
      // What signing compresses: the library's own packing, byte for byte.
      expect(packList(values, bits)).toEqual(new StatusList(values, bits).encodeStatusList());
    }
  });

  it('signs the same lst as the library would', async () => {
    const values = Array.from({ length: 5000 }, () => Math.floor(random() * 3));
    const jwt = await signStatusList(values, { uri: URI, time: T0 }, p.keys[0]!.signer);
    expect((decodeJwt(jwt) as { status_list: { lst: string } }).status_list.lst).toBe(new StatusList(values, 2).compressStatusList());
  });

  it('refuses what does not inflate, or inflates to nothing', async () => {
    const good = base64url.decode(new StatusList([1, 2, 0, 1, 2], 2).compressStatusList());
    const truncated = base64url.encode(good.subarray(0, good.length - 4));
    await expect(decodePackedList(truncated, 2)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(decodePackedList('', 2)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(decodePackedList('!!', 2)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const empty = base64url.encode(await compressBytes([], 'deflate'));
    await expect(decodePackedList(empty, 2)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
  });

  it('refuses a zip bomb as soon as it passes the cap, without inflating the rest', async () => {
    expect(MAX_INFLATED_LIST_BYTES).toBe(16 * 1024 * 1024);
    // 64 MiB of zeros deflate to about 64 KB.
    const zeros = new Uint8Array(1024 * 1024);
    const bomb = await compressBytes(Array.from({ length: 64 }, () => zeros), 'deflate');
    expect(bomb.length).toBeLessThan(128 * 1024);
    await expect(decodePackedList(base64url.encode(bomb), 8)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
    await expect(inflateCapped(bomb, 'deflate', 1024 * 1024)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
    // Exactly at the cap is fine.
    expect((await inflateCapped(await compressBytes([zeros], 'deflate'), 'deflate', zeros.length)).length).toBe(zeros.length);
  });

  it('takes a base64 decoder, handing it only canonical text', async () => {
    const lst = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => new StatusList(Array.from({ length: n * 9 }, (_, i) => i % 3), 2).compressStatusList()).find((t) => t.length % 4 !== 0)!;
    const seen: string[] = [];
    const base64 = (text: string) => (seen.push(text), base64url.decode(text));
    const decoded = await decodePackedList(lst, 2, { base64 });
    expect([0, 1, 2, 3].map((i) => statusAt(decoded, i))).toEqual([0, 1, 2, 0]);
    expect(seen).toEqual([lst]);
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const odd = `${lst.slice(0, -1)}${B64URL[B64URL.indexOf(lst.at(-1)!) | 1]}`;
    await expect(decodePackedList(odd, 2, { base64 })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    await expect(decodePackedList(odd, 2)).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    expect(seen).toHaveLength(1);
  });

  it('the trust context decodes each list once, with the codecs it is given', async () => {
    const published = await publish(p);
    const seen: string[] = [];
    const inflated: string[] = [];
    const ctx = await buildTrustContext(published, {
      root: p.root,
      base64: (text) => (seen.push(text), base64url.decode(text)),
      inflate: (bytes, format, max) => (inflated.push(format), inflateCapped(bytes, format, max)),
    });
    expect(ctx.problems).toEqual([]);
    const payload = (jws: string) => jws.split('.')[1]!;
    const lst = (jws: string) => (decodeJwt(jws) as { status_list: { lst: string } }).status_list.lst;
    expect(seen).toEqual([payload(published.statusList), lst(published.statusList), payload(published.revisionList), lst(published.revisionList)]);
    expect(inflated).toEqual(['deflate', 'deflate']);
  });

  it('takes another inflater, whose failures map to the same codes', async () => {
    const lst = new StatusList([1, 2, 0, 1], 2).compressStatusList();
    const calls: number[] = [];
    const decoded = await decodePackedList(lst, 2, { inflate: (bytes, format, max) => (calls.push(max), inflateCapped(bytes, format, max)) });
    expect([0, 1, 2, 3].map((i) => statusAt(decoded, i))).toEqual([1, 2, 0, 1]);
    expect(calls).toEqual([MAX_INFLATED_LIST_BYTES]);
    await expect(decodePackedList(lst, 2, { inflate: () => new Uint8Array(9), maxBytes: 8 })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
    await expect(decodePackedList(lst, 2, { inflate: () => { throw new Error('zlib says no'); } })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_MALFORMED' });
    const tooLarge = Object.assign(new RangeError('too large'), { code: 'ERR_BUFFER_TOO_LARGE' });
    await expect(decodePackedList(lst, 2, { inflate: () => { throw tooLarge; } })).rejects.toMatchObject({ code: 'ERR_ARTIFACT_TOO_LARGE' });
  });
});
