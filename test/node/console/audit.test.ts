// The audit log page: every filter (licence, holder, officer, action, China-time dates) narrows
// the events as it says, 100 a page; a filter value that cannot be one is a 400 page saying
// which, never a 5xx; before/after records are shown as escaped JSON.
import { describe, expect, it } from 'vitest';
import { reinstateLicence, suspendLicence, updateHolder } from '../../../src/node/issuer/index.ts';
import { appendAudit } from '../../../src/node/registry/audit.ts';
import { consoleFixture, officerClient, startConsole, testClock, USCC } from './support.ts';

const DAY_S = 86_400;

interface Row {
  id: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
}

function rows(html: string): Row[] {
  return [...html.matchAll(/<tr data-event="(\d+)"><td>([^<]*)<\/td><td>([^<]*)<\/td><td class="mono">([^<]*)<\/td><td>(.*?)<\/td>/g)].map((m) => ({
    id: Number(m[1]),
    time: m[2]!,
    actor: m[3]!,
    action: m[4]!,
    subject: m[5]!.replace(/<[^>]*>/g, ''),
  }));
}

describe('console audit log', async () => {
  const fixture = await consoleFixture();
  const { a1, b1, aSuspended } = fixture.numbers;
  const clock = testClock();
  const app = startConsole(fixture, { clock: clock.now });
  const registry = app.kit.registry;
  // Officers' actions two and three days after the fixture was made (29 and 30 November).
  clock.advance(2 * DAY_S);
  await suspendLicence({ registry, now: clock.now(), actor: 'officer:王芳' }, a1, '抽检不合格 <script>alert(1)</script>');
  clock.advance(DAY_S);
  await reinstateLicence({ registry, now: clock.now(), actor: 'officer:李强' }, a1, '整改完成');
  await updateHolder({ registry, now: clock.now(), actor: 'officer:王芳' }, USCC.b, { name: 'Hangzhou Tea Co., Ltd.' }, '更正名称');

  const page = async (query: string) => {
    const client = await officerClient(app);
    const res = await client.get(`/console/audit${query ? `?${query}` : ''}`);
    return { status: res.status, html: await res.text() };
  };

  it('shows the events newest first with their actor, action and linked licence', async () => {
    const { status, html } = await page('');
    expect(status).toBe(200);
    const all = rows(html);
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((x, y) => y - x));
    expect(all[0]).toMatchObject({ actor: 'officer:王芳', action: 'holder.update', subject: USCC.b, time: '2026-11-30 12:01' });
    expect(html).toContain(`<a href="/console/licences/${a1}">${a1}</a>`);
    // Before/after as pretty JSON, escaped; the reason escaped too.
    expect(html).toContain('&quot;name&quot;: &quot;Hangzhou Tea Co., Ltd.&quot;');
    expect(html).toContain('抽检不合格 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('filters by officer and by action, offering the values the log holds', async () => {
    const { html: full } = await page('');
    expect(full).toContain('<option value="officer:王芳">officer:王芳</option>');
    expect(full).toContain('<option value="licence.reinstate">licence.reinstate</option>');

    const wang = rows((await page(`actor=${encodeURIComponent('officer:王芳')}`)).html);
    // Her set-up (from the fixture), the suspension and the holder update.
    expect(wang.map((r) => r.action)).toEqual(['holder.update', 'licence.suspend', 'officer.setup']);
    expect(new Set(wang.map((r) => r.actor))).toEqual(new Set(['officer:王芳']));

    const suspensions = rows((await page('action=licence.suspend')).html);
    expect(suspensions.map((r) => r.subject).sort()).toEqual([a1, aSuspended].sort());

    const both = rows((await page(`actor=${encodeURIComponent('officer:李强')}&action=licence.reinstate`)).html);
    expect(both).toEqual([expect.objectContaining({ actor: 'officer:李强', action: 'licence.reinstate', subject: a1 })]);
  });

  it('filters by licence and by holder (the holder and each of its licences)', async () => {
    const forA1 = rows((await page(`licence=${a1.toLowerCase()}`)).html);
    expect(forA1.map((r) => r.action)).toEqual(['licence.reinstate', 'licence.suspend', 'licence.issue']);
    expect(new Set(forA1.map((r) => r.subject))).toEqual(new Set([a1]));

    const forB = rows((await page(`holder=${USCC.b}`)).html);
    expect(forB.map((r) => [r.action, r.subject])).toEqual([
      ['holder.update', USCC.b],
      ['licence.issue', b1],
      ['holder.add', USCC.b],
    ]);
  });

  it('filters by China-time dates, both days included', async () => {
    const on29 = rows((await page('from=2026-11-29&to=2026-11-29')).html);
    expect(on29.map((r) => [r.actor, r.action])).toEqual([['officer:王芳', 'licence.suspend']]);
    const from30 = rows((await page('from=2026-11-30')).html);
    expect(from30.map((r) => r.action)).toEqual(['holder.update', 'licence.reinstate']);
    const until27 = rows((await page('to=2026-11-27')).html);
    expect(until27.length).toBeGreaterThan(5);
    expect(until27.every((r) => r.time.startsWith('2026-11-27'))).toBe(true);
    const combined = rows((await page(`from=2026-11-28&licence=${a1}`)).html);
    expect(combined.map((r) => r.action)).toEqual(['licence.reinstate', 'licence.suspend']);
  });

  it('pages 100 events at a time', async () => {
    for (let i = 0; i < 120; i++) appendAudit(registry.db, { at: clock.now().toISOString(), actor: 'test-bulk', action: 'test.bulk', subject: 'registry', after: { i } });
    const first = await page('actor=test-bulk');
    expect(rows(first.html)).toHaveLength(100);
    expect(first.html).toContain('第 1–100 条，共 120 条');
    expect(first.html).toContain('<a href="/console/audit?actor=test-bulk&amp;offset=100">下一页</a>');
    const second = await page('actor=test-bulk&offset=100');
    expect(rows(second.html)).toHaveLength(20);
    expect(second.html).toContain('<a href="/console/audit?actor=test-bulk">上一页</a>');
  });

  it('refuses filter values that cannot be one with a 400 page, the filters kept as typed', async () => {
    for (const [query, says] of [
      ['licence=not-a-licence', '许可编号的格式'],
      ['holder=12345', '统一社会信用代码'],
      ['holder=91370200163562681X', '统一社会信用代码'],
      ['actor=officer%3A%E6%97%A0%E5%90%8D', '没有操作人'],
      ['action=%3Cscript%3E', '没有操作“&lt;script&gt;”'],
      ['from=2026-02-30', '开始日期必须是'],
      ['to=20261127', '结束日期必须是'],
      ['from=2026-12-01&to=2026-11-01', '晚于'],
      ['offset=ten', 'offset'],
      ['offset=99999999999', 'offset'],
      [`holder=${'9'.repeat(500)}`, '太长了'],
    ] as const) {
      const { status, html } = await page(query);
      expect(status, query).toBe(400);
      expect(html, query).toContain('<p class="problem" role="alert">');
      expect(html, query).toContain(says);
      expect(html, query).not.toContain('<script>');
      expect(rows(html), query).toEqual([]);
    }
    const { html } = await page('licence=not-a-licence&actor=test-admin');
    expect(html).toContain('value="not-a-licence"');
    expect(html).toContain('<option value="test-admin" selected="">test-admin</option>');
  });
});
