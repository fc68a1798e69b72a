/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { Core } from '../../core/context.js';
import type { NotFound, SessionOf } from '../web-session.js';

/** A project's Import from the old license manager (seed L76–81): filled in by the next commit. */
export function importPages(_app: Hono, _core: Core, _session: SessionOf, _notFound: NotFound) {}
