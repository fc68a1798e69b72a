/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { Core } from '../../core/context.js';
import type { NotFound, SessionOf } from '../web-session.js';

/** Registers these pages on the portal (bridge/web/pages.tsx). Being built (issue 14). */
export function deviceStatusPages(_app: Hono, _core: Core, _session: SessionOf, _notFound: NotFound): void {}
