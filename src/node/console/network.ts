// Who may reach the console: the socket's peer must be loopback or on the configured allowlist
// (QDYP_CONSOLE_ALLOW, addresses and CIDR networks), judged by the socket alone — never a
// forwarded header, which the client writes — and the request's Host must be one the console
// answers to (loopback names, or QDYP_CONSOLE_HOSTS), so a page on another site whose name
// was rebound to this machine's address cannot drive it from an officer's browser.

import { normaliseAddress, trustedProxies, type TrustedProxies } from '../accounts/index.ts';

const LOOPBACK = trustedProxies(['127.0.0.0/8', '::1']);
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export interface ConsoleNetwork {
  /** Socket addresses allowed besides loopback (parsed QDYP_CONSOLE_ALLOW). */
  allow: TrustedProxies;
  /** Host header values allowed besides loopback names on any port (lower case, host[:port]). */
  hosts: readonly string[];
}

/** Parses the allowlists; throws naming a bad entry. */
export function consoleNetwork(allow: readonly string[] = [], hosts: readonly string[] = []): ConsoleNetwork {
  const parsed = trustedProxies(allow);
  const cleanHosts = hosts.map((h) => {
    const host = h.trim().toLowerCase();
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host)) throw new Error(`console host ${JSON.stringify(h)} is not a host name with an optional port`);
    return host;
  });
  return { allow: parsed, hosts: cleanHosts };
}

/** Whether a (normalised) address is this machine's own. */
export function isLoopback(address: string): boolean {
  return LOOPBACK.has(address);
}

/** Whether a socket address may use the console. */
export function addressAllowed(network: ConsoleNetwork, socketAddress: string | undefined): boolean {
  if (socketAddress === undefined) return false;
  const address = normaliseAddress(socketAddress);
  if (address === null) return false;
  return LOOPBACK.has(address) || network.allow.has(address);
}

/** Headers a reverse proxy adds: their presence means the socket's peer is not the client. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'via'];

/**
 * Whether the request came through a proxy on an allowed address (a web server on this machine
 * passing the internet's requests on): then the socket says nothing about who is asking, and
 * the console refuses. A proxy the office puts in front of the console on purpose must be on
 * QDYP_CONSOLE_ALLOW itself and the clients behind it are its business.
 */
export function throughProxy(network: ConsoleNetwork, socketAddress: string | undefined, headers: Headers): boolean {
  const address = socketAddress === undefined ? null : normaliseAddress(socketAddress);
  if (address !== null && network.allow.has(address)) return false;
  return PROXY_HEADERS.some((name) => headers.has(name));
}

/** Whether a Host header names the console: a loopback name on any port, or a configured host. */
export function hostAllowed(network: ConsoleNetwork, host: string | undefined): boolean {
  if (host === undefined) return false;
  const value = host.trim().toLowerCase();
  if (network.hosts.includes(value)) return true;
  const name = /^(\[[^\]]+\]|[^:]+)(?::\d{1,5})?$/.exec(value)?.[1];
  return name !== undefined && LOOPBACK_HOSTS.includes(name);
}
