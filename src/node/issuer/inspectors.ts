// Inspector tokens: issuing one to a market inspector (signed by the active issuing key, shown
// once, never stored) and revoking it by the inspector id it names. A revocation puts the
// token's `jti` on the revoked-inspectors list that every publication signs, so it is recorded
// as a change for every publishing target in the same transaction as the row and its audit event.

import { randomBytes } from 'node:crypto';
import { MAX_INSPECTOR_NAME, MAX_INSPECTOR_TOKEN_DAYS, signInspectorToken } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { appendAudit } from '../registry/audit.ts';
import { getInspector, insertInspector, revokeInspectorRow, type InspectorRecord } from '../registry/inspectors.ts';
import { ACTIVATION_ALPHABET } from '../registry/invitations.ts';
import { recordChange } from '../registry/publishing.ts';
import { checkReason, checkText } from './checks.ts';
import { at, Conflict, withRetry, type IssuerContext } from './context.ts';
import { signingKey } from './signing.ts';

export const INSPECTOR_DAYS = { default: 30, min: 1, max: MAX_INSPECTOR_TOKEN_DAYS } as const;
/** Characters of an inspector id: 10 × 5 bits of Crockford Base32 (no I, L, O or U to misread). */
export const INSPECTOR_ID_LENGTH = 10;
const INSPECTOR_ID = new RegExp(`^[${ACTIVATION_ALPHABET}]{${INSPECTOR_ID_LENGTH}}$`);
const DAY_S = 86_400;

export type InspectorStatus = 'active' | 'expired' | 'revoked';

export function inspectorStatus(inspector: InspectorRecord, now: Date): InspectorStatus {
  if (inspector.revokedAt !== null) return 'revoked';
  return Date.parse(inspector.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

export function checkInspectorName(value: unknown): string {
  return checkText('inspector name', value, MAX_INSPECTOR_NAME);
}

export function checkInspectorDays(value: unknown): number {
  if (value === undefined || value === null) return INSPECTOR_DAYS.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INSPECTOR_DAYS.min || value > INSPECTOR_DAYS.max) {
    throw new RefusedError('invalid_period', `an inspector token lasts ${INSPECTOR_DAYS.min} to ${INSPECTOR_DAYS.max} days; ${String(value)} is not that`);
  }
  return value;
}

/** An inspector id as typed (letter case and surrounding spaces ignored). */
export function checkInspectorId(value: unknown): string {
  const id = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!INSPECTOR_ID.test(id)) throw new RefusedError('unknown_inspector', `"${String(value)}" is not an inspector id (${INSPECTOR_ID_LENGTH} letters and digits, as qdyp inspector list shows)`);
  return id;
}

function newInspectorId(): string {
  // 256 is a multiple of 32: each byte's low five bits are uniform.
  return Array.from(randomBytes(INSPECTOR_ID_LENGTH), (b) => ACTIVATION_ALPHABET[b & 31]).join('');
}

/** What the audit trail records of an inspector: everything but the token, which is nowhere. */
function inspectorSnapshot(inspector: InspectorRecord) {
  return { id: inspector.id, name: inspector.name, jti: inspector.jti, issuedAt: inspector.issuedAt, expiresAt: inspector.expiresAt, kid: inspector.kid };
}

export interface IssuedInspector {
  inspector: InspectorRecord;
  /** The inspector token (a JWS). Stored nowhere: hand it over now. */
  token: string;
}

/**
 * Issues an inspector token to `name` for `days` (default 30, at most 90): a new inspector id
 * and a random `jti`, signed by the active issuing key. One transaction with its audit event
 * (`inspector.add`, which records everything but the token). Nothing is published: the token
 * changes no published list until it is revoked.
 */
export async function addInspector(ctx: IssuerContext, name: unknown, options: { days?: number } = {}): Promise<IssuedInspector> {
  const checked = checkInspectorName(name);
  const days = checkInspectorDays(options.days);
  const db = ctx.registry.db;
  return withRetry(ctx, async () => {
    const { key, signer } = await signingKey(ctx);
    const iat = Math.floor(ctx.now.getTime() / 1000);
    const inspector: InspectorRecord = {
      id: newInspectorId(),
      name: checked,
      jti: randomBytes(16).toString('base64url'),
      // The token's own times (whole seconds), as it states them.
      issuedAt: new Date(iat * 1000).toISOString(),
      expiresAt: new Date((iat + days * DAY_S) * 1000).toISOString(),
      kid: key.kid,
      revokedAt: null,
      revokeReason: null,
    };
    const token = await signInspectorToken({ jti: inspector.jti, sub: inspector.id, name: checked, iat, exp: iat + days * DAY_S }, signer);
    db.transaction(() => {
      // A repeated random id (vanishingly rare) draws again.
      if (getInspector(db, inspector.id)) throw new Conflict();
      insertInspector(db, inspector);
      appendAudit(db, { at: at(ctx), actor: ctx.actor, action: 'inspector.add', subject: inspector.id, after: inspectorSnapshot(inspector) });
    })();
    return { inspector, token };
  });
}

/**
 * Revokes the token of inspector `id`: its `jti` goes on the revoked-inspectors list at the
 * next publication, which the change is recorded for (every target), in one transaction with
 * the row and the audit event (`inspector.revoke`). Final: a revoked inspector gets a new token
 * (qdyp inspector add) under a new id.
 */
export async function revokeInspector(ctx: IssuerContext, id: unknown, reason?: string | null): Promise<InspectorRecord> {
  const checked = checkInspectorId(id);
  const why = checkReason(reason, false);
  const db = ctx.registry.db;
  return ctx.registry.exclusive(async () =>
    db.transaction(() => {
      const current = getInspector(db, checked);
      if (!current) throw new RefusedError('unknown_inspector', `no inspector ${checked} in the registry (qdyp inspector list shows them)`);
      if (current.revokedAt !== null) throw new RefusedError('invalid_transition', `inspector ${checked}'s token was already revoked at ${current.revokedAt} (final)`);
      revokeInspectorRow(db, checked, at(ctx), why);
      recordChange(db);
      const revoked = getInspector(db, checked)!;
      appendAudit(db, {
        at: at(ctx),
        actor: ctx.actor,
        action: 'inspector.revoke',
        subject: checked,
        reason: why,
        before: { ...inspectorSnapshot(current), revokedAt: null },
        after: { ...inspectorSnapshot(revoked), revokedAt: revoked.revokedAt },
      });
      return revoked;
    }).immediate(),
  );
}
