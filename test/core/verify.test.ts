import { base64url, decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrustContext,
  createSeal,
  ED25519_ENGINES,
  licenceEntryKey,
  OUTCOMES,
  RawVerifyKey,
  rootTrust,
  signJws,
  signLicenceEntry,
  signRevisionList,
  signStatusList,
  TYP,
  verifyLicenceDocument,
  verifySeal,
  type EntryLookup,
  type Outcome,
  type QdypErrorCode,
  type RootTrust,
  type TrustArtifacts,
  type TrustContext,
} from '../../src/core/index.ts';
import {
  entry,
  issue,
  newKey,
  newProgramme,
  publish,
  REVISION_URI,
  revise,
  STATUS_URI,
  T0,
  trustPublished,
  type Programme,
  type Published,
  type TrustFixtureOptions,
} from '../support/programme.ts';

const DAY = 24 * 60 * 60 * 1000;

// Every scenario runs under both Ed25519 engines: the same expectations, so the same verdicts.
describe.each(ED25519_ENGINES)('with the %s engine', (engine) => {
  let p: Programme;
  let root: RootTrust;
  let published: Published;
  let ctx: TrustContext;
  let trust: (published: Published, options?: TrustFixtureOptions, artifacts?: TrustArtifacts, programme?: Programme) => Promise<TrustContext>;

  beforeAll(async () => {
    p = await newProgramme();
    root = await rootTrust(p.rootJwk, engine);
    trust = async (published, options = {}, artifacts = {}, programme = p) =>
      trustPublished(programme, published, { root: programme === p ? root : await rootTrust(programme.rootJwk, engine), engine, ...options }, artifacts);
    await issue(p, 1);
    await issue(p, 2, { status: 'suspended', statusReason: '抽检不合格' });
    await issue(p, 3, { status: 'revoked', statusReason: '冒用' });
    await issue(p, 4, { validFrom: '2020-01-01', validUntil: '2025-12-31' });
    await issue(p, 5, { validFrom: '2027-01-01', validUntil: '2029-12-31' });
    published = await publish(p);
    ctx = await trust(published);
  });

  it('verifies through the engine it was asked for', () => {
    const key = ctx.keyList!.bySid.get(p.keys[0]!.signer.sid)!.key;
    expect(key instanceof RawVerifyKey).toBe(engine === 'noble');
  });

  async function code(seal: string, time = T0, context = ctx): Promise<Outcome> {
    return (await verifySeal(seal, time, context)).code;
  }

  describe('verifySeal reaches every outcome', () => {
    const reached = new Set<Outcome>();
    const expectCode = async (seal: string, want: Outcome, time = T0, context = ctx) => {
      expect(await code(seal, time, context)).toBe(want);
      reached.add(want);
    };

    it('authorized, with the licence and status time', async () => {
      const v = await verifySeal(p.seals.get(1)!, T0, ctx);
      expect(v).toMatchObject({ code: 'authorized', authorized: true, statusAsOf: T0.toISOString(), checkedAt: T0.toISOString() });
      expect(v.licence).toEqual(entry(1));
      expect(v.licence!.holder.address).toBe('青岛市黄岛区海滨路 1 号');
      reached.add('authorized');
    });

    it('suspended and revoked come from the status list, with the reason', async () => {
      await expectCode(p.seals.get(2)!, 'suspended');
      await expectCode(p.seals.get(3)!, 'revoked');
      const v = await verifySeal(p.seals.get(3)!, T0, ctx);
      expect(v.licence).toMatchObject({ status: 'revoked', statusReason: '冒用' });
      expect(v.authorized).toBe(false);
    });

    it('expired and not yet valid come from the licence entry, in China Standard Time', async () => {
      await expectCode(p.seals.get(4)!, 'expired');
      await expectCode(p.seals.get(5)!, 'not_yet_valid');
      // 2027-01-01 00:30 in Beijing is still 2026-12-31 in UTC: the licence has started.
      const later = await trust(await publish(p, { time: new Date('2026-12-30T00:00:00Z') }));
      await expectCode(p.seals.get(5)!, 'authorized', new Date('2026-12-31T16:30:00Z'), later);
      await expectCode(p.seals.get(5)!, 'not_yet_valid', new Date('2026-12-31T15:59:59Z'), later);
    });

    it('a seal past its horizon is expired, still showing the licence', async () => {
      const seal = await createSeal({ serial: 1, horizon: '2026-11-26' }, p.keys[0]!.signer);
      await expectCode(seal, 'expired');
      expect((await verifySeal(seal, T0, ctx)).licence).toEqual(entry(1));
      const revoked = await createSeal({ serial: 3, horizon: '2026-11-26' }, p.keys[0]!.signer);
      expect((await verifySeal(revoked, T0, ctx)).licence).toMatchObject({ status: 'revoked' });
    });

    it('unknown_key for a key not in the list; bad_signature for a tampered seal', async () => {
      const stranger = await newKey();
      await expectCode(await createSeal({ serial: 1, horizon: '2040-01-01' }, stranger.signer), 'unknown_key');
      // Same short id, other key: the signature cannot hold.
      await expectCode(await createSeal({ serial: 1, horizon: '2040-01-01' }, { ...stranger.signer, sid: p.keys[0]!.signer.sid }), 'bad_signature');
    });

    it('key_compromised shows no holder data', async () => {
      const keys = p.keys.map((k) => ({ ...k.record, status: 'compromised' as const }));
      const good = await newKey();
      const compromised = await trust(await publish(p, { keys: [...keys, good.record], issuer: good, version: 2 }));
      const v = await verifySeal(p.seals.get(1)!, T0, compromised);
      expect(v).toMatchObject({ code: 'key_compromised', licence: null });
      reached.add('key_compromised');
    });

    it('malformed for non-seals', async () => {
      await expectCode('', 'malformed');
      await expectCode('A'.repeat(120), 'malformed');
      await expectCode(`${p.seals.get(1)!}=`, 'malformed');
    });

    it('cannot_confirm when status data is missing or stale', async () => {
      const noStatus = await trust(published, {}, { statusList: null });
      await expectCode(p.seals.get(1)!, 'cannot_confirm', T0, noStatus);
      expect(noStatus.problems).toEqual([expect.objectContaining({ artifact: 'statusList', code: 'ERR_ARTIFACT_MISSING' })]);
      // Fourteen days after publishing the lists expire.
      await expectCode(p.seals.get(1)!, 'cannot_confirm', new Date(T0.getTime() + 14 * DAY));
      await expectCode(p.seals.get(1)!, 'authorized', new Date(T0.getTime() + 14 * DAY - 1000));
      // A serial outside the lists.
      await expectCode(await createSeal({ serial: 9, horizon: '2040-01-01' }, p.keys[0]!.signer), 'cannot_confirm');
    });

    it('covers every code', () => {
      expect([...reached].sort()).toEqual([...OUTCOMES].sort());
    });
  });

  describe('holder data is shown only where the signature held under a trusted key', () => {
    it.each([
      ['authorized', 1],
      ['suspended', 2],
      ['revoked', 3],
      ['expired', 4],
      ['not_yet_valid', 5],
    ] as const)('%s shows the licence', async (want, serial) => {
      const v = await verifySeal(p.seals.get(serial)!, T0, ctx);
      expect(v.code).toBe(want);
      expect(v.licence?.number).toBe(`QDYP-2026-00000${serial}`);
    });

    it('bad_signature and unknown_key show none', async () => {
      const forged = await createSeal({ serial: 1, horizon: '2040-01-01' }, { ...(await newKey()).signer, sid: p.keys[0]!.signer.sid });
      expect((await verifySeal(forged, T0, ctx)).licence).toBeNull();
    });
  });

  describe('the key list is the only way to trust a key', () => {
    it('refuses a key list signed by a key other than the pinned root', async () => {
      const impostor = await newKey();
      const c = await trust(await publish(p, { keyListSigner: impostor.signer }));
      expect(c.keyList).toBeNull();
      expect(c.problems[0]).toMatchObject({ artifact: 'keyList', code: 'ERR_ARTIFACT_SIGNATURE' });
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
    });

    it('refuses an expired key list', async () => {
      const old = new Date(T0.getTime() - 366 * DAY);
      const keys = p.keys.map((k) => ({ ...k.record, signFrom: '2020-01-01' }));
      const c = await trust(await publish(p, { time: old, keys }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
      expect(await code(p.seals.get(1)!, new Date(old.getTime() + 13 * DAY), c)).not.toBe('cannot_confirm');
    });

    it('refuses a lower version than one already seen', async () => {
      const c = await trust(await publish(p, { version: 3 }), { minKeyListVersion: 4 });
      expect(c.keyList).toBeNull();
      expect(c.problems[0]).toMatchObject({ code: 'ERR_KEY_LIST_ROLLBACK' });
      expect((await trust(await publish(p, { version: 4 }), { minKeyListVersion: 4 })).keyList?.version).toBe(4);
    });

    it('a valid signature by an issuing key missing from the list is unknown_key', async () => {
      const other = await newKey();
      const c = await trust(await publish(p, { keys: [other.record], issuer: other }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('unknown_key');
    });

    it('status and revision lists signed by an unlisted key are ignored', async () => {
      const other = await newKey();
      const c = await trust(await publish(p, { issuer: other, entrySigner: p.keys[0]! }));
      expect(c.statusList).toBeNull();
      expect(c.revisionList).toBeNull();
      expect(c.problems).toEqual([
        expect.objectContaining({ artifact: 'statusList', code: 'ERR_ARTIFACT_UNKNOWN_KEY' }),
        expect.objectContaining({ artifact: 'revisionList', code: 'ERR_ARTIFACT_UNKNOWN_KEY' }),
      ]);
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
    });

    it('a retired key still verifies what it signed', async () => {
      const next = await newKey();
      const keys = [{ ...p.keys[0]!.record, status: 'retired' as const }, next.record];
      const c = await trust(await publish(p, { keys, issuer: next }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('authorized');
    });

    it('a retired key still vouches for the entries it signed', async () => {
      const next = await newKey();
      const keys = [{ ...p.keys[0]!.record, status: 'retired' as const }, next.record];
      const c = await trust(await publish(p, { keys, issuer: next, entrySigner: p.keys[0]! }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('authorized');
    });

    it('a retired key cannot sign status or revisions: it could un-revoke a licence', async () => {
      const next = await newKey();
      const keys = [{ ...p.keys[0]!.record, status: 'retired' as const }, next.record];
      const c = await trust(await publish(p, { keys, issuer: p.keys[0]! }));
      expect(c.statusList).toBeNull();
      expect(c.revisionList).toBeNull();
      expect(c.problems).toContainEqual(expect.objectContaining({ artifact: 'statusList', code: 'ERR_KEY_NOT_SIGNING' }));
      expect(c.problems).toContainEqual(expect.objectContaining({ artifact: 'revisionList', code: 'ERR_KEY_NOT_SIGNING' }));
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
    });

    it('status signed outside the key\'s signing window, or dated in the future, is not used', async () => {
      const late = new Date('2029-01-01T00:00:00Z'); // after signUntil (two years from T0)
      const outside = await trust(await publish(p, { time: late }));
      expect(outside.problems).toContainEqual(expect.objectContaining({ artifact: 'statusList', code: 'ERR_KEY_NOT_SIGNING' }));
      expect(outside.problems).toContainEqual(expect.objectContaining({ artifact: 'revisionList', code: 'ERR_KEY_NOT_SIGNING' }));
      const ahead = await trust(await publish(p, { time: new Date(T0.getTime() + DAY) }));
      expect(await code(p.seals.get(1)!, T0, ahead)).toBe('cannot_confirm');
      expect(await code(p.seals.get(1)!, new Date(T0.getTime() + DAY), ahead)).toBe('authorized');
    });
  });

  describe('verifyLicenceDocument', () => {
    it('verifies the document by the same policy', async () => {
      const v = await verifyLicenceDocument(p.documents.get(1)!, T0, ctx);
      expect(v).toMatchObject({ code: 'authorized', document: { number: 'QDYP-2026-000001' } });
      expect((await verifyLicenceDocument(p.documents.get(3)!, T0, ctx)).code).toBe('revoked');
    });

    it('an entry under another number cannot be the document’s licence', async () => {
      const store = new Map(published.store);
      for (const serial of [1, 3]) {
        store.set(licenceEntryKey(serial, 1), await signLicenceEntry(entry(serial, { number: 'QDYP-2026-999999' }), { serial, rev: 1, time: T0 }, p.keys[0]!.signer));
      }
      const c = await trust({ ...published, store });
      expect(await verifyLicenceDocument(p.documents.get(1)!, T0, c)).toMatchObject({ code: 'cannot_confirm', licence: null, document: { number: 'QDYP-2026-000001' } });
      // Revoked stands without an entry to show.
      expect(await verifyLicenceDocument(p.documents.get(3)!, T0, c)).toMatchObject({ code: 'revoked', licence: null });
      const noEntries = await trust({ ...published, store: new Map() });
      expect(await verifyLicenceDocument(p.documents.get(3)!, T0, noEntries)).toMatchObject({ code: 'revoked', licence: null });
      expect((await verifyLicenceDocument(p.documents.get(1)!, T0, noEntries)).code).toBe('cannot_confirm');
    });

    it('rejects a tampered payload as bad_signature and garbage as malformed', async () => {
      const [h, , s] = p.documents.get(1)!.split('.');
      const payload = base64url.encode(JSON.stringify({ number: 'QDYP-2026-000001', products: ['别的'] }));
      expect((await verifyLicenceDocument(`${h}.${payload}.${s}`, T0, ctx)).code).toBe('bad_signature');
      expect((await verifyLicenceDocument('not.a.jws', T0, ctx)).code).toBe('malformed');
      expect((await verifyLicenceDocument(p.seals.get(1)!, T0, ctx)).code).toBe('malformed');
    });
  });

  describe('licence entries: one per licence, looked up only once the seal holds', () => {
    /** The published artifacts with some entries replaced (null: removed). */
    const withEntries = async (changes: [number, string | null][], base = published): Promise<TrustContext> => {
      const store = new Map(base.store);
      for (const [serial, text] of changes) {
        if (text === null) store.delete(licenceEntryKey(serial, 1));
        else store.set(licenceEntryKey(serial, 1), text);
      }
      return trust({ ...base, store });
    };
    const signed = (serial: number, rev = 1, key = p.keys[0]!, e = entry(serial)) => signLicenceEntry(e, { serial, rev, time: T0 }, key.signer);

    it('revoked and suspended stand without an entry, showing no licence', async () => {
      const c = await withEntries([[2, null], [3, null]]);
      expect(await verifySeal(p.seals.get(3)!, T0, c)).toMatchObject({ code: 'revoked', licence: null, authorized: false });
      expect(await verifySeal(p.seals.get(2)!, T0, c)).toMatchObject({ code: 'suspended', licence: null });
      // Even with no revision list at all.
      const noRevisions = await trust(published, {}, { revisionList: null });
      expect(await verifySeal(p.seals.get(3)!, T0, noRevisions)).toMatchObject({ code: 'revoked', licence: null });
      expect(await code(p.seals.get(1)!, T0, noRevisions)).toBe('cannot_confirm');
    });

    it('the status list, not the entry, says what the status is', async () => {
      // The entry was signed while the licence was valid; the list has it revoked since.
      const c = await withEntries([[3, await signed(3, 1, p.keys[0]!, entry(3, { status: 'valid', statusReason: null }))]]);
      expect(await verifySeal(p.seals.get(3)!, T0, c)).toMatchObject({ code: 'revoked', licence: { status: 'revoked', statusReason: null } });
    });

    it.each<[string, () => Promise<string | null>, QdypErrorCode | null]>([
      ['missing', async () => null, null],
      ['stale (an older revision)', () => signLicenceEntry(entry(1), { serial: 1, rev: 2, time: T0 }, p.keys[0]!.signer), 'ERR_ENTRY_STALE'],
      ['for another serial', () => signed(2), 'ERR_ENTRY_MISMATCH'],
      ['over 64 KiB', () => signed(1, 1, p.keys[0]!, entry(1, { products: Array.from({ length: 5000 }, (_, i) => `产品${i}`) })), 'ERR_ARTIFACT_TOO_LARGE'],
      ['of another typ', async () => signJws(decodeJwt(await signed(1)), TYP.licence, p.keys[0]!.signer), 'ERR_ARTIFACT_TYPE'],
      ['signed by an unlisted key', async () => signed(1, 1, await newKey()), 'ERR_ARTIFACT_UNKNOWN_KEY'],
      ['tampered', async () => { const [h, , s] = (await signed(1)).split('.'); return `${h}.${base64url.encode(JSON.stringify({ ...decodeJwt(await signed(1)), licence: entry(1, { validUntil: '2099-12-31' }) }))}.${s}`; }, 'ERR_ARTIFACT_SIGNATURE'],
      ['garbage', async () => 'garbage', 'ERR_ARTIFACT_MALFORMED'],
    ])('a valid licence whose entry is %s cannot be confirmed; another licence is unaffected', async (_, make, want) => {
      const problems: QdypErrorCode[] = [];
      const store = new Map(published.store);
      const text = await make();
      if (text === null) store.delete(licenceEntryKey(1, 1));
      else store.set(licenceEntryKey(1, 1), text);
      const c = await trust({ ...published, store }, { onProblem: (_serial, _value, error) => problems.push(error.code) });
      expect(await verifySeal(p.seals.get(1)!, T0, c)).toMatchObject({ code: 'cannot_confirm', licence: null });
      expect(problems).toEqual(want ? [want] : []);
      expect(await code(p.seals.get(4)!, T0, c)).toBe('expired');
      expect(await code(p.seals.get(3)!, T0, c)).toBe('revoked');
    });

    it('an entry signed by a key compromised since cannot be confirmed', async () => {
      const q = await newProgramme();
      const good = await newKey();
      await issue(q, 1, {}, good);
      await issue(q, 2, {}, good);
      const keys = [{ ...q.keys[0]!.record, status: 'compromised' as const }, good.record];
      const base = await publish(q, { keys, issuer: good, entrySigner: good });
      const store = new Map(base.store);
      store.set(licenceEntryKey(1, 1), await signLicenceEntry(q.entries.get(1)!, { serial: 1, rev: 1, time: T0 }, q.keys[0]!.signer));
      const problems: QdypErrorCode[] = [];
      const c = await trust({ ...base, store }, { onProblem: (_s, _v, error) => problems.push(error.code) }, {}, q);
      expect(await code(q.seals.get(1)!, T0, c)).toBe('cannot_confirm');
      expect(await code(q.seals.get(2)!, T0, c)).toBe('authorized');
      expect(problems).toEqual(['ERR_ARTIFACT_KEY_COMPROMISED']);
    });

    it('a changed licence is read at its new revision; the old entry no longer counts', async () => {
      const q = await newProgramme();
      await issue(q, 1);
      const before = await publish(q);
      revise(q, 1, { products: ['新产品'] });
      const after = await publish(q, { time: new Date(T0.getTime() + 1000) });
      expect([...after.store.keys()]).toEqual(['licence/1/2']);
      const c = await trust(after, {}, {}, q);
      expect((await verifySeal(q.seals.get(1)!, T0, c)).licence?.products).toEqual(['新产品']);
      // The old entry served under the new revision's key: refused as stale.
      const replayed = await trust({ ...after, store: new Map([['licence/1/2', before.store.get('licence/1/1')!]]) }, {}, {}, q);
      expect(await code(q.seals.get(1)!, T0, replayed)).toBe('cannot_confirm');
      // 256 changes later the list's value comes round again: the residual risk the design accepts.
      revise(q, 1, {}, 255);
      expect((await publish(q)).store.has('licence/1/1')).toBe(true);
    });

    it('a serial the revision list does not cover cannot be confirmed (unless revoked)', async () => {
      const short = await signRevisionList([0], { uri: REVISION_URI, time: T0 }, p.keys[0]!.signer);
      const c = await trust(published, {}, { revisionList: short });
      expect(await code(p.seals.get(1)!, T0, c)).toBe('cannot_confirm');
      expect(await code(p.seals.get(3)!, T0, c)).toBe('revoked');
    });

    it('looks up no entry before the signature held, and none for cannot_confirm from the status list', async () => {
      const asked: number[] = [];
      const counting = (inner: EntryLookup): EntryLookup => ({ get: (serial, value) => (asked.push(serial), inner.get(serial, value)) });
      const c = await trust(published);
      c.entries = counting(c.entries);
      const stranger = await newKey();
      await verifySeal(await createSeal({ serial: 1, horizon: '2040-01-01' }, stranger.signer), T0, c);
      await verifySeal(await createSeal({ serial: 1, horizon: '2040-01-01' }, { ...stranger.signer, sid: p.keys[0]!.signer.sid }), T0, c);
      await verifySeal('A'.repeat(120), T0, c);
      await verifySeal(await createSeal({ serial: 9, horizon: '2040-01-01' }, p.keys[0]!.signer), T0, c);
      expect(asked).toEqual([]);
      await verifySeal(p.seals.get(1)!, T0, c);
      expect(asked).toEqual([1]);
    });
  });

  describe('replay: never back to an older list', () => {
    const later = new Date(T0.getTime() + 60_000);
    it('refuses a status list or revision list older than one already accepted', async () => {
      const iat = T0.getTime() / 1000;
      const c = await trust(published, { minStatusIat: iat + 60, minRevisionIat: iat });
      expect(c.statusList).toBeNull();
      expect(c.revisionList).not.toBeNull();
      expect(c.problems).toEqual([expect.objectContaining({ artifact: 'statusList', code: 'ERR_STATUS_ROLLBACK' })]);
      expect(await code(p.seals.get(1)!, later, c)).toBe('cannot_confirm');
      const r = await trust(published, { minStatusIat: iat, minRevisionIat: iat + 1 });
      expect(r.problems).toEqual([expect.objectContaining({ artifact: 'revisionList', code: 'ERR_STATUS_ROLLBACK' })]);
      expect(await code(p.seals.get(1)!, later, r)).toBe('cannot_confirm');
      // The same list again is fine.
      expect(await code(p.seals.get(1)!, later, await trust(published, { minStatusIat: iat, minRevisionIat: iat }))).toBe('authorized');
    });

    it('of several candidates, uses the newest that verifies', async () => {
      const statuses = [0, 1, 2, 1, 0, 0];
      const newer = await signStatusList(statuses, { uri: STATUS_URI, time: later }, p.keys[0]!.signer);
      const forged = await signStatusList([0, 0, 0, 0, 0, 0], { uri: STATUS_URI, time: new Date(later.getTime() + 1000) }, (await newKey()).signer);
      const c = await trust(published, {}, { statusList: [published.statusList, newer, forged, null] });
      expect(c.statusList?.iat).toBe(later.getTime() / 1000);
      expect(c.problems).toEqual([expect.objectContaining({ artifact: 'statusList', code: 'ERR_ARTIFACT_UNKNOWN_KEY' })]);
      // The newer list revoked serial 1 as well; the forged one (all valid) is ignored.
      expect(await code(p.seals.get(1)!, later, c)).toBe('revoked');
      expect(await code(p.seals.get(3)!, later, c)).toBe('revoked');
      expect((await trust(published, {}, { statusList: [newer, published.statusList] })).statusList?.iat).toBe(later.getTime() / 1000);
    });
  });
});
