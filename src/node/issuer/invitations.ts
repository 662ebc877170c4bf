// Inviting a holder's staff to the holder portal: a one-time activation code per (holder, user
// name), shown once and stored only as its hash. The portal never calls the office: the
// invitation reaches it in the next portal snapshot (qdyp portal snapshot), and takes effect
// only then. Re-inviting a user voids that user's old code; it is also the password reset.

import { cstDateTime } from '../../core/index.ts';
import { RefusedError } from '../errors.ts';
import { appendAudit } from '../registry/audit.ts';
import { getHolder } from '../registry/holders.ts';
import {
  activationCodeHash,
  DEFAULT_USER_NAME,
  getInvitation,
  MAX_USER_NAME,
  newActivationCode,
  normaliseUserName,
  putInvitation,
  type InvitationRecord,
} from '../registry/invitations.ts';
import { checkText, checkUscc } from './checks.ts';
import { at, type IssuerContext } from './context.ts';

export { activationCodeHash, ACTIVATION_CODE_BITS, DEFAULT_USER_NAME, MAX_USER_NAME, normaliseActivationCode, normaliseUserName } from '../registry/invitations.ts';

export const INVITATION_DAYS = { default: 14, min: 1, max: 30 } as const;
const DAY_MS = 86_400_000;

/** A user name to store: checked like any text, then normalised (normaliseUserName). */
export function checkUserName(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_USER_NAME;
  // The raw text first, so an invisible character is named rather than trimmed away.
  const raw = checkText('user name', value, MAX_USER_NAME * 4);
  return checkText('user name', normaliseUserName(raw), MAX_USER_NAME);
}

export function checkInvitationDays(value: unknown): number {
  if (value === undefined || value === null) return INVITATION_DAYS.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INVITATION_DAYS.min || value > INVITATION_DAYS.max) {
    throw new RefusedError('invalid_period', `an invitation lasts ${INVITATION_DAYS.min} to ${INVITATION_DAYS.max} days; ${String(value)} is not that`);
  }
  return value;
}

export interface Invitation {
  uscc: string;
  user: string;
  /** The activation code as shown (groups joined by dashes). Stored nowhere: show it now. */
  code: string;
  /** ISO-8601 UTC instant. */
  expiresAt: string;
}

/**
 * Makes a new activation code for `user` (default "admin") of holder `uscc`, replacing any
 * earlier invitation of that user (the old code stops working with the next snapshot). One
 * transaction with its audit event (`holder.invite`), which records the user and expiry,
 * never the code or its hash.
 */
export async function inviteHolderUser(ctx: IssuerContext, uscc: string, user?: string | null, options: { days?: number } = {}): Promise<Invitation> {
  const code = checkUscc(uscc);
  const name = checkUserName(user);
  const days = checkInvitationDays(options.days);
  const db = ctx.registry.db;
  const activation = newActivationCode();
  const record: InvitationRecord = {
    uscc: code,
    user: name,
    codeHash: activationCodeHash(activation)!,
    createdAt: at(ctx),
    expiresAt: new Date(ctx.now.getTime() + days * DAY_MS).toISOString(),
  };
  db.transaction(() => {
    if (!getHolder(db, code)) throw new RefusedError('unknown_holder', `no holder ${code} in the registry (add it with qdyp holder add)`);
    const previous = getInvitation(db, code, name);
    putInvitation(db, record);
    appendAudit(db, {
      at: record.createdAt,
      actor: ctx.actor,
      action: 'holder.invite',
      subject: code,
      before: previous ? { user: previous.user, expiresAt: previous.expiresAt } : null,
      after: { user: name, expiresAt: record.expiresAt },
    });
  })();
  return { uscc: code, user: name, code: activation, expiresAt: record.expiresAt };
}

/** The portal's address: `{origin}/portal/` (the verify origin for now), lower-cased to read. */
export function portalAddress(origin: string): string {
  return `${origin.toLowerCase().replace(/\/+$/, '')}/portal/`;
}

/**
 * The printable invitation letter (zh-CN, then English), as plain text: who it is for, where
 * to go, the USCC, user name and code, until when, and that it works only once the office has
 * copied its next portal snapshot to the portal host.
 */
export function invitationLetter(invitation: Invitation, holder: { name: string }, origin: string, issuedAt: Date): string {
  const url = portalAddress(origin);
  const until = cstDateTime(invitation.expiresAt);
  const issued = cstDateTime(issuedAt.toISOString()).slice(0, 10);
  return `青岛优品 品牌主体门户 · 账户开通邀请函
Qingdao Premium Products (青岛优品) holder portal · Invitation

致 To:                  ${holder.name}
统一社会信用代码 USCC:   ${invitation.uscc}
用户名 User name:        ${invitation.user}
激活码 Activation code:  ${invitation.code}
有效期至 Valid until:    ${until}（北京时间 Beijing time）
门户地址 Portal:         ${url}
发出日期 Issued:         ${issued}

【中文】
您好！青岛优品工程办公室邀请贵单位通过品牌主体门户查看授权状态、下载二维码图样和授权证书。
1. 用浏览器打开 ${url}，选择“激活账户”。
2. 输入统一社会信用代码和上面的激活码（不区分大小写，可省略短横线），然后设置密码（至少 15 个字符，可使用密码管理器）。
3. 以后用统一社会信用代码、用户名“${invitation.user}”和密码登录。
激活码只能使用一次，请在 ${until}（北京时间）之前使用，并妥善保管，不要转发给他人。工程办公室不会通过电话或短信索要激活码或密码。
本激活码在工程办公室下一次把门户数据副本复制到门户服务器后生效；如暂时无法激活，请稍后再试。
工程办公室再次邀请同一用户，会使此前的激活码作废；这也是重置密码的方式：忘记密码或激活码过期时，请联系工程办公室重新发放。

[English]
The Qingdao Premium Products programme office invites you to the holder portal, where you can
see the status of your licences and download QR artwork and certificates.
1. Open ${url} in a browser and choose "Activate account".
2. Enter your USCC and the activation code above (letter case and dashes do not matter), then
   choose a password (at least 15 characters; password managers work).
3. From then on, sign in with your USCC, the user name "${invitation.user}" and your password.
The code works once, until ${until} Beijing time. Keep it safe and do not pass it on: the
office never asks for codes or passwords by phone or text message.
The code takes effect when the office next copies its portal snapshot to the portal host; if
activation does not work yet, please try again later.
A new invitation for the same user voids this code; it is also how a password is reset: if
you forget your password, or the code expires, ask the programme office for a new one.
`;
}
