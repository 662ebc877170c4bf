// Holders (品牌主体), for clerks and officers alike (clerks prepare the holders):
//   GET  /console/holders               search by name or USCC and region, paged, with the CSV export link
//   GET  /console/holders/new           the form that registers one
//   POST /console/holders               addHolder (the checks of `qdyp holder add`)
//   GET  /console/holders/:uscc         details, licences, portal invitations, update and invite forms
//   POST /console/holders/:uscc         updateHolder (name, address, region, reason)
//   POST /console/holders/:uscc/invite  inviteHolderUser: the response itself shows the code, once
// A refusal shows the CLI's message with what was typed; nothing was changed.

import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { cstDate } from '../../../core/index.ts';
import { addHolder, checkUscc, invitationLetter, inviteHolderUser, portalAddress, updateHolder } from '../../issuer/index.ts';
import { readConfig } from '../../registry/config.ts';
import { getHolder } from '../../registry/holders.ts';
import { hasInvitations, listInvitations } from '../../registry/invitations.ts';
import { listLicences } from '../../registry/licences.ts';
import { searchHolders } from '../../registry/search.ts';
import { parseHolderFilter } from '../filters.ts';
import { attempt, done, frameOf, guardedForm, officerContext, page, type ConsoleContext, type ConsoleEnv, type ConsoleKit } from '../kit.ts';
import { refusalStatus } from '../refusals.ts';
import { HolderListPage, HolderPage, InvitationPage, NewHolderPage, type HolderPageProps } from '../views/holders.tsx';
import { daysField, readOffset } from './query.ts';

const PAGE_SIZE = 50;
/** A holder's page lists this many of its licences; the licence list has them all. */
const LICENCES_SHOWN = 200;

// Above the issuer's own limits (in characters; caps count UTF-16 units), so that a long value
// gets the issuer's message rather than a bare 400.
const HOLDER_FIELDS = { uscc: 100, name: 1000, address: 1500, region: 20 };
const UPDATE_FIELDS = { name: 1000, address: 1500, region: 20, reason: 2500 };
const INVITE_FIELDS = { user: 600, days: 20 };

function warningsText(warnings: string[]): string {
  return warnings.length ? ` 注意：${warnings.join('；')}` : '';
}

export function holderRoutes(app: Hono<ConsoleEnv>, kit: ConsoleKit): void {
  const db = () => kit.registry.db;

  /** The holder named by the path, or a 404 page. */
  function holderOf(c: ConsoleContext) {
    let uscc: string;
    try {
      uscc = checkUscc(c.req.param('uscc'));
    } catch {
      throw new HTTPException(404);
    }
    const holder = getHolder(db(), uscc);
    if (!holder) throw new HTTPException(404);
    return holder;
  }

  function holderPage(c: ConsoleContext, status: ContentfulStatusCode, holder: NonNullable<ReturnType<typeof getHolder>>, extra: Partial<HolderPageProps> = {}) {
    const now = kit.clock();
    const licences = listLicences(db(), { holder: holder.uscc });
    const invitations = hasInvitations(db()) ? listInvitations(db(), { uscc: holder.uscc }) : [];
    return page(
      c,
      status,
      <HolderPage
        frame={frameOf(c, 'holders')}
        holder={holder}
        licences={licences.reverse().slice(0, LICENCES_SHOWN)}
        licenceTotal={licences.length}
        invitations={invitations}
        today={cstDate(now)}
        now={now.toISOString()}
        {...extra}
      />,
    );
  }

  app.get('/console/holders', (c) => {
    const query = c.req.query();
    const parsed = parseHolderFilter(query);
    const offset = readOffset(c);
    const frame = frameOf(c, 'holders');
    if (!parsed.ok || offset === null) {
      const problem = parsed.ok ? '页码不对。' : parsed.problem;
      return page(c, 400, <HolderListPage frame={frame} params={{}} typed={{ text: query.text, region: query.region }} problem={problem} holders={[]} total={0} offset={0} limit={PAGE_SIZE} />);
    }
    const { total, holders } = searchHolders(db(), parsed.filter, { limit: PAGE_SIZE, offset });
    return page(c, 200, <HolderListPage frame={frame} params={parsed.params} holders={holders} total={total} offset={offset} limit={PAGE_SIZE} />);
  });

  app.get('/console/holders/new', (c) => page(c, 200, <NewHolderPage frame={frameOf(c, 'holders')} />));

  app.post('/console/holders', async (c) => {
    const form = await guardedForm(kit, c, HOLDER_FIELDS);
    const warnings: string[] = [];
    const result = await attempt(kit, () => addHolder(officerContext(kit, c, warnings), { uscc: form.uscc, name: form.name, address: form.address, region: form.region }));
    if (!result.ok) {
      return page(c, refusalStatus(result.code), <NewHolderPage frame={frameOf(c, 'holders')} values={form} refusal={result.message} />);
    }
    const holder = result.value;
    return done(c, `/holders/${holder.uscc}`, { ok: `已登记品牌主体 ${holder.uscc}：${holder.name}。${warningsText(warnings)}` });
  });

  app.get('/console/holders/:uscc', (c) => holderPage(c, 200, holderOf(c)));

  app.post('/console/holders/:uscc', async (c) => {
    const form = await guardedForm(kit, c, UPDATE_FIELDS);
    const holder = holderOf(c);
    const warnings: string[] = [];
    const result = await attempt(kit, () =>
      updateHolder(officerContext(kit, c, warnings), holder.uscc, { name: form.name, address: form.address, region: form.region }, form.reason === '' ? undefined : form.reason),
    );
    if (!result.ok) return holderPage(c, refusalStatus(result.code), holder, { update: form, refusal: { form: 'update', message: result.message } });
    return done(c, `/holders/${holder.uscc}`, { ok: `已修改品牌主体 ${holder.uscc} 的登记信息。${warningsText(warnings)}` });
  });

  app.post('/console/holders/:uscc/invite', async (c) => {
    const form = await guardedForm(kit, c, INVITE_FIELDS);
    const holder = holderOf(c);
    const days = daysField(form.days);
    if (days === null) return holderPage(c, 422, holder, { invite: form, refusal: { form: 'invite', message: 'days must be a whole number' } });
    const ctx = officerContext(kit, c);
    const result = await attempt(kit, () => inviteHolderUser(ctx, holder.uscc, form.user, days === undefined ? {} : { days }));
    if (!result.ok) return holderPage(c, refusalStatus(result.code), holder, { invite: form, refusal: { form: 'invite', message: result.message } });
    const invitation = result.value;
    const origin = readConfig(db()).origin;
    return page(
      c,
      200,
      <InvitationPage
        frame={frameOf(c, 'holders')}
        holder={holder}
        user={invitation.user}
        code={invitation.code}
        expiresAt={invitation.expiresAt}
        portal={portalAddress(origin)}
        letter={invitationLetter(invitation, holder, origin, ctx.now)}
      />,
    );
  });
}
