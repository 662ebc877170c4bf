// The transparency log's entry encoding: one canonical text per event (the leaf is its bytes),
// refused in any other spelling, capped at the entry bundle's 16-bit length, and holding the
// public members only, whatever record it is made from.
import { describe, expect, it } from 'vitest';
import { decodeLogEntry, encodeLogEntry, logEntryLicenceNumber, MAX_LOG_ENTRY_BYTES, QdypError, type LicenceLogEntry, type LogEntry } from '../../src/core/index.ts';

const KID = 'Jw8bQ2y6l0WcV3y9mF1nq4kZ0a7tYxS5pE2rD8uH6gA';
const TIME = '2026-11-27T04:00:00.000Z';

const licence: LicenceLogEntry = {
  v: 1,
  event: 'licence.suspend',
  time: TIME,
  licence: {
    number: 'QDYP-2026-000001',
    serial: 1,
    rev: 2,
    sealKid: KID,
    holder: { name: '青岛海滨食品有限公司', uscc: '91370200163562681G', address: '青岛市黄岛区长江中路 1 号' },
    tier: 'product',
    sector: 'marine',
    chain: '海洋食品',
    region: '370211',
    products: ['即食海参', '虾皮 "特级"'],
    trademarks: [],
    validFrom: '2026-11-27',
    validUntil: '2028-12-31',
    status: 'suspended',
    statusReason: '抽检不合格，整改期间暂停',
    statusChangedAt: TIME,
  },
};
const holder: LogEntry = { v: 1, event: 'holder.update', time: TIME, holder: { uscc: '91370200163562681G', name: '青岛海滨食品集团', address: null } };
const key: LogEntry = {
  v: 1,
  event: 'key.rotate',
  time: TIME,
  keys: [
    { kid: KID, role: 'issue', status: 'retired' },
    { kid: 'A'.repeat(43), role: 'log', status: 'active' },
  ],
  keyList: { version: 3, iat: 1795752000, exp: 1827288000, sha256: 'B'.repeat(43) },
};

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof QdypError) return error.code;
    throw error;
  }
  throw new Error('did not throw');
}

describe('log entries', () => {
  it('encodes each kind canonically: the documented member order, no whitespace', () => {
    expect(encodeLogEntry(holder)).toBe('{"v":1,"event":"holder.update","time":"2026-11-27T04:00:00.000Z","holder":{"uscc":"91370200163562681G","name":"青岛海滨食品集团","address":null}}');
    expect(encodeLogEntry(key)).toBe(
      `{"v":1,"event":"key.rotate","time":"${TIME}","keys":[{"kid":"${KID}","role":"issue","status":"retired"},{"kid":"${'A'.repeat(43)}","role":"log","status":"active"}],"keyList":{"version":3,"iat":1795752000,"exp":1827288000,"sha256":"${'B'.repeat(43)}"}}`,
    );
    const text = encodeLogEntry(licence);
    expect(text.startsWith(`{"v":1,"event":"licence.suspend","time":"${TIME}","licence":{"number":"QDYP-2026-000001","serial":1,"rev":2,"sealKid":"${KID}","holder":{"name":`)).toBe(true);
    expect(Object.keys(JSON.parse(text).licence)).toEqual([
      'number', 'serial', 'rev', 'sealKid', 'holder', 'tier', 'sector', 'chain', 'region', 'products', 'trademarks',
      'validFrom', 'validUntil', 'status', 'statusReason', 'statusChangedAt',
    ]);
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('round-trips every kind, from text and from bytes', () => {
    for (const entry of [licence, holder, key, { ...licence, event: 'licence.existing' as const }]) {
      const text = encodeLogEntry(entry);
      expect(decodeLogEntry(text)).toEqual(entry);
      expect(decodeLogEntry(new TextEncoder().encode(text))).toEqual(entry);
      expect(encodeLogEntry(decodeLogEntry(text))).toBe(text);
    }
    expect(logEntryLicenceNumber(licence)).toBe('QDYP-2026-000001');
    expect(logEntryLicenceNumber(holder)).toBeNull();
    expect(logEntryLicenceNumber(key)).toBeNull();
  });

  it('refuses any other spelling of an entry', () => {
    const text = encodeLogEntry(licence);
    const parsed = JSON.parse(text);
    const respelled = [
      JSON.stringify(parsed, null, 1), // whitespace
      ` ${text}`,
      text.replace('"v":1,"event":"licence.suspend"', '"event":"licence.suspend","v":1'), // order
      JSON.stringify({ ...parsed, actor: 'officer 王' }), // a member too many
      JSON.stringify({ ...parsed, licence: { ...parsed.licence, seal: 'https://v.qdyp.cn/s/x' } }),
      JSON.stringify({ ...parsed, licence: { ...parsed.licence, holder: { ...parsed.licence.holder, phone: '123' } } }),
      text.replace('"即食海参"', '"\\u5373食海参"'), // another escaping
      text.replace('"serial":1', '"serial":1.0'),
      text.replace('"rev":2', '"rev":-2'),
      JSON.stringify({ ...parsed, v: 2 }),
      JSON.stringify({ ...parsed, event: 'licence.delete' }),
      JSON.stringify({ ...parsed, time: '2026-11-27T04:00:00Z' }),
      JSON.stringify({ ...parsed, licence: { ...parsed.licence, status: 'expired' } }),
      JSON.stringify({ ...parsed, licence: { ...parsed.licence, chain: undefined } }), // a member missing
      'null',
      '[]',
      '{',
      encodeLogEntry(key).replace('"role":"log"', '"role":"root"'),
      encodeLogEntry(key).replace('"sha256":"B', '"sha256":"+'),
    ];
    for (const bad of respelled) expect(code(() => decodeLogEntry(bad)), bad.slice(0, 80)).toBe('ERR_LOG_ENTRY_MALFORMED');
    expect(code(() => decodeLogEntry(new Uint8Array([0x7b, 0xff, 0x7d])))).toBe('ERR_LOG_ENTRY_MALFORMED');
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(code(() => decodeLogEntry(bom))).toBe('ERR_LOG_ENTRY_MALFORMED');
  });

  it('refuses an entry past 65,535 bytes, at encoding and at decoding', () => {
    const fit = (n: number): LicenceLogEntry => ({ ...licence, licence: { ...licence.licence, products: ['x'.repeat(n)] } });
    const base = new TextEncoder().encode(encodeLogEntry(fit(0))).length;
    const largest = encodeLogEntry(fit(MAX_LOG_ENTRY_BYTES - base));
    expect(new TextEncoder().encode(largest).length).toBe(MAX_LOG_ENTRY_BYTES);
    expect(decodeLogEntry(largest)).toEqual(fit(MAX_LOG_ENTRY_BYTES - base));
    expect(code(() => encodeLogEntry(fit(MAX_LOG_ENTRY_BYTES - base + 1)))).toBe('ERR_LOG_ENTRY_TOO_LARGE');
    // Counted in UTF-8 bytes, not characters: 海 is three.
    const wide = (n: number): LicenceLogEntry => ({ ...licence, licence: { ...licence.licence, products: ['海'.repeat(n)] } });
    expect(code(() => encodeLogEntry(wide(Math.ceil((MAX_LOG_ENTRY_BYTES - base) / 3) + 1)))).toBe('ERR_LOG_ENTRY_TOO_LARGE');
    const over = largest.replace('"x', '"xx');
    expect(code(() => decodeLogEntry(over))).toBe('ERR_LOG_ENTRY_TOO_LARGE');
    expect(code(() => decodeLogEntry(new TextEncoder().encode(over)))).toBe('ERR_LOG_ENTRY_TOO_LARGE');
  });

  it('carries the public members only, whatever record it is made from', () => {
    // A registry record has the seal, the document, the batch and more: none reaches the entry.
    const record = {
      ...licence.licence,
      seal: 'https://v.qdyp.cn/s/SECRETSEAL',
      document: 'eyJhbGciOi.SECRETDOC.sig',
      batch: 'batch-7',
      ref: 'row-12',
      actor: '王警官',
      reason: 'internal note',
      holder: { ...licence.licence.holder, contact: '13800000000', region: '370211' },
    };
    const text = encodeLogEntry({ v: 1, event: 'licence.issue', time: TIME, licence: record, actor: '王警官' } as LicenceLogEntry);
    for (const secret of ['SECRETSEAL', 'SECRETDOC', 'batch-7', 'row-12', '王警官', 'internal note', '13800000000', '"region":"370211"}']) {
      expect(text).not.toContain(secret);
    }
    expect(decodeLogEntry(text)).toEqual({ ...licence, event: 'licence.issue' });
    const holderText = encodeLogEntry({ ...holder, holder: { uscc: '91370200163562681G', name: 'n', address: null, region: '370211', contact: 'x' } } as LogEntry);
    expect(JSON.parse(holderText).holder).toEqual({ uscc: '91370200163562681G', name: 'n', address: null });
  });

  it('refuses numbers JSON cannot give back', () => {
    expect(code(() => encodeLogEntry({ ...licence, licence: { ...licence.licence, serial: Number.NaN } }))).toBe('ERR_LOG_ENTRY_MALFORMED');
    expect(code(() => encodeLogEntry({ ...(key as Extract<LogEntry, { keys: unknown }>), keyList: { version: 1.5, iat: 0, exp: 0, sha256: 'B'.repeat(43) } }))).toBe('ERR_LOG_ENTRY_MALFORMED');
  });
});
