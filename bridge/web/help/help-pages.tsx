import type { Hono } from 'hono';
import type { Core } from '../../core/context.js';

/** The portal's own help pages (seed L14–25, L33): registered in pages.tsx. */
export function helpPages(_app: Hono, _core: Core) {}
