// A small browser for tests that drive a Hono app through app.request: it keeps the cookies the
// app sets (dropping those it clears), sends them back, and calls from one socket address.
import type { Hono } from 'hono';

export const ORIGIN = 'http://localhost';

export interface PostOptions {
  /** The Origin header; `null` sends none. */
  origin?: string | null;
  /** Default: a form's type, except for a FormData body (fetch gives it its multipart type). */
  contentType?: string;
  /** Sent instead of the fields. */
  body?: BodyInit;
}

export class AppClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly app: Hono,
    readonly address: string,
  ) {}

  /** Headers sent with every request, before the cookies and the request's own. */
  protected baseHeaders(): Record<string, string> {
    return {};
  }

  #cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  #keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...this.baseHeaders(), ...this.#cookieHeader(), ...(init.headers as Record<string, string> | undefined) };
    const res = await this.app.request(`${ORIGIN}${pathname}`, { ...init, headers }, { incoming: { socket: { remoteAddress: this.address } } });
    return this.#keep(res);
  }

  get(pathname: string): Promise<Response> {
    return this.request(pathname);
  }

  async post(pathname: string, fields: Record<string, string> | [string, string][], options: PostOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    const contentType = options.contentType ?? (options.body instanceof FormData ? undefined : 'application/x-www-form-urlencoded');
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
    return this.request(pathname, { method: 'POST', headers, body: options.body ?? new URLSearchParams(fields).toString() });
  }
}
