import { sql, type SqlBool } from 'kysely';
import { MylicError } from '../../../protocol/errors.js';
import { SEARCH_KEYS_MIN } from '../../../protocol/devices-api.js';
import type { OwnKey } from '../../../protocol/keys-api.js';
import { selectedCompany } from '../access.js';
import { catalog } from '../catalog.js';
import type { Actor, Core } from '../context.js';
import { getOwnKey, ownBalanceProject } from './own-keys.js';

/**
 * Own keys as the portal pages need them besides the API's services (own-keys.ts): what creating a key
 * would take from a project's balance (the page shows it before the key is made; nothing changes), and
 * the search of the Own Activations page (seed: Search, "part of an activation key or its description",
 * at least five characters for keys).
 */
export interface OwnKeyPreviewLine {
  type: string;
  units: number;
  /** The project's balance of the type now, and after the key took its units. */
  balance: number;
  after: number;
}

export interface OwnKeyPreview {
  projectId: number;
  projectName: string;
  lines: OwnKeyPreviewLine[];
}

/** What a key from one project's balance would hold and leave; the same rules createOwnKey applies. */
export async function previewOwnKey(
  core: Core,
  actor: Actor,
  req: { projectId?: number | undefined; licenses: readonly { type: string; units: number }[] },
): Promise<OwnKeyPreview> {
  const projectId = req.projectId ?? actor.projectId ?? null;
  if (projectId === null)
    throw new MylicError('PROJECT_NOT_SELECTED', 'Select the project whose balance pays for the key.');
  const db = core.store.db;
  const project = await ownBalanceProject(db, actor, projectId, null);
  const wanted = new Map<string, number>();
  for (const l of req.licenses) {
    if (!Number.isInteger(l.units) || l.units <= 0) throw new MylicError('AMOUNT_INVALID');
    const type = catalog.licenseType(l.type).name;
    wanted.set(type, (wanted.get(type) ?? 0) + l.units);
  }
  if (wanted.size === 0) throw new MylicError('VALIDATION_FAILED', 'A key needs at least one license.');
  const rows = await db
    .selectFrom('balances')
    .select(['license_type', 'units'])
    .where('project_id', '=', project.id)
    .where('license_type', 'in', [...wanted.keys()])
    .execute();
  const lines = [...wanted].map(([type, units]) => {
    const balance = Number(rows.find((r) => r.license_type === type)?.units ?? 0);
    return { type, units, balance, after: balance - units };
  });
  const short = lines.find((l) => l.after < 0);
  if (short)
    throw new MylicError(
      'BALANCE_INSUFFICIENT',
      `The project has ${short.balance} ${short.type}, ${short.units} are needed.`,
      { licenseType: short.type, needed: short.units, available: short.balance },
    );
  return { projectId: project.id, projectName: project.name, lines };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The selected company's own keys whose code or comment contains `query` (at least SEARCH_KEYS_MIN
 * characters, else VALIDATION_FAILED), newest first, at most `limit`.
 */
export async function searchOwnKeys(
  core: Core,
  actor: Actor,
  query: string,
  limit = 50,
): Promise<{ query: string; keys: OwnKey[]; truncated: boolean }> {
  const q = query.trim();
  if (q.length < SEARCH_KEYS_MIN)
    throw new MylicError('VALIDATION_FAILED', `Enter at least ${SEARCH_KEYS_MIN} characters to search keys.`);
  const db = core.store.db;
  const { companyId } = await selectedCompany(db, actor);
  const text = `%${escapeLike(q.replace(/[A-Z]/g, (c) => c.toLowerCase()))}%`;
  const code = q.replace(/[\s-]/g, '').toUpperCase();
  const byCode = code.length >= SEARCH_KEYS_MIN && /^[A-Z0-9]+$/.test(code);
  const rows = await db
    .selectFrom('activation_keys as k')
    .select('k.id')
    .where('k.company_id', '=', companyId)
    .where('k.kind', '=', 'own')
    .where('k.deleted_at', 'is', null)
    .where((eb) => {
      const comment = sql<SqlBool>`lower(${sql.ref('k.comment')}) like ${text} escape '\\'`;
      return byCode ? eb.or([eb('k.code', 'like', `%${code}%`), comment]) : comment;
    })
    .orderBy('k.id', 'desc')
    .limit(limit + 1)
    .execute();
  const keys: OwnKey[] = [];
  for (const r of rows.slice(0, limit)) keys.push(await getOwnKey(core, actor, r.id));
  return { query: q, keys, truncated: rows.length > limit };
}
