// The console's pages, one module each, registered in this order after sign-in.

import type { Hono } from 'hono';
import type { ConsoleEnv, ConsoleKit } from '../kit.ts';
import { auditRoutes } from './audit.tsx';
import { dashboardRoutes } from './dashboard.tsx';
import { exportRoutes } from './exports.tsx';
import { holderRoutes } from './holders.tsx';
import { importRoutes } from './imports.tsx';
import { keyRoutes } from './keys.tsx';
import { licenceRoutes } from './licences.tsx';
import { reportRoutes } from './reports.tsx';

export type RegisterRoutes = (app: Hono<ConsoleEnv>, kit: ConsoleKit) => void;

export const CONSOLE_ROUTES: readonly RegisterRoutes[] = [dashboardRoutes, exportRoutes, licenceRoutes, holderRoutes, importRoutes, reportRoutes, auditRoutes, keyRoutes];

/** Paths (under /console) that take an upload, and their body cap. */
export const UPLOAD_PATHS: readonly string[] = ['/import'];
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;
