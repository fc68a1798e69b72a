import { MylicError } from '../../../protocol/errors.js';
import { type Core, isPlay } from '../context.js';

/**
 * The wall between myplay and the live portal: every action of the sandbox (self-service balance,
 * free license editing, RMA status) asks here first, in the core, so the live portal refuses it
 * whatever page or route calls it (PLAY_ONLY).
 */
export function assertPlay(core: Core): void {
  if (!isPlay(core)) throw new MylicError('PLAY_ONLY');
}

/** The ledger reference of myplay's entries: the history and the ledger say where units came from. */
export const PLAY_REF = 'myplay';
