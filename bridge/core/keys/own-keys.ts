import { sql } from 'kysely';
import { MylicError } from '../../../protocol/errors.js';
import {
  formatKeyCode,
  type LicenseLine,
  type OwnKey,
  type OwnKeyDeleted,
} from '../../../protocol/keys-api.js';
import type { Tx } from '../../db/store.js';
import { projectAccess, selectedCompany } from '../access.js';
import { keyById, keyLicenses } from './activation-keys.js';
import { creditBalance, debitBalance, type LedgerReason } from '../ledger.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isPlay, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { generateKeyCode, newKeyRef } from './key-codes.js';
import { PLAY_KEY_PREFIX } from '../../../protocol/keys-api.js';

/**
 * Own activation keys (seed: Own Activations; Balance, "can be shared for … activation key creation").
 * A company creates a key from the balance of one or several of its own projects; the units leave those
 * balances through ledger entries and are "in keys" (ARCHITECTURE §5) until someone redeems the key.
 * While unredeemed the key can be updated (more units from a balance, fewer back into one, comment and
 * order fields) or deleted (its units back into the selected project, or where they came from).
 *
 * Not from external projects: users of a company with rights on a project cannot create keys from its
 * balance, and balance is never shared with or into an external project (seed: Projects → Rights).
 */

export interface OwnKeyLineRequest {
  type: string;
  units: number;
  projectId?: number | undefined;
}

export interface CreateOwnKeyRequest {
  projectId?: number | undefined;
  licenses: OwnKeyLineRequest[];
  comment?: string | undefined;
  orderNumber?: string | undefined;
  orderReference?: string | undefined;
}

export interface UpdateOwnKeyRequest {
  licenses?: OwnKeyLineRequest[] | undefined;
  comment?: string | undefined;
  orderNumber?: string | undefined;
  orderReference?: string | undefined;
}

const text = (value: string | undefined, max: number, what: string): string | undefined => {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (t.length > max) throw new MylicError('VALIDATION_FAILED', `The ${what} has at most ${max} characters.`);
  return t;
};

/**
 * A project whose balance may pay into, or take back from, a key of `companyId`: reached as an own
 * project (not through rights) and belonging to that company.
 */
export async function ownBalanceProject(tx: Tx, actor: Actor, projectId: number, companyId: number | null) {
  const access = await projectAccess(tx, actor, projectId);
  if (access.external)
    throw new MylicError(
      'FORBIDDEN',
      'Activation keys cannot be created from, or return licenses into, a project your company only has rights on.',
    );
  if (companyId !== null && access.project.company_id !== companyId) {
    throw new MylicError(
      'FORBIDDEN',
      'Balance is shared only between projects of one company: this project belongs to another company than the key.',
    );
  }
  return access.project;
}

/** An own key the actor may manage (a member of its company, not locked), or KEY_NOT_FOUND. */
async function ownKeyFor(tx: Tx, actor: Actor, keyId: number) {
  const key = await keyById(tx, keyId);
  if (key?.kind !== 'own' || key.deleted_at !== null || key.company_id === null)
    throw new MylicError('KEY_NOT_FOUND');
  const m = await tx
    .selectFrom('memberships')
    .select('is_locked')
    .where('user_id', '=', actor.userId)
    .where('company_id', '=', key.company_id)
    .executeTakeFirst();
  if (!m) throw new MylicError('KEY_NOT_FOUND');
  if (m.is_locked) throw new MylicError('USER_LOCKED');
  return { ...key, company_id: key.company_id };
}

async function addSource(tx: Tx, keyId: number, projectId: number, type: string, units: number) {
  await tx
    .insertInto('activation_key_sources')
    .values({ key_id: keyId, project_id: projectId, license_type: type, units })
    .onConflict((oc) =>
      oc
        .columns(['key_id', 'project_id', 'license_type'])
        .doUpdateSet({ units: sql`activation_key_sources.units + ${units}` }),
    )
    .execute();
}

async function addKeyUnits(tx: Tx, keyId: number, type: string, units: number) {
  await tx
    .insertInto('activation_key_licenses')
    .values({ key_id: keyId, license_type: type, units })
    .onConflict((oc) =>
      oc
        .columns(['key_id', 'license_type'])
        .doUpdateSet({ units: sql`activation_key_licenses.units + ${units}` }),
    )
    .execute();
}

/** A key entry carries the reason of the ledger entry it pairs with. */
async function keyEntry(
  tx: Tx,
  at: string,
  keyId: number,
  projectId: number,
  type: string,
  delta: number,
  reason: LedgerReason,
) {
  await tx
    .insertInto('activation_key_entries')
    .values({ key_id: keyId, project_id: projectId, license_type: type, delta, reason, created_at: at })
    .execute();
}

/**
 * Takes `units` of `type` out of the key's sources: first from `prefer` (the project receiving them),
 * then from the others in project order. Returns how many came from which source.
 */
async function takeFromSources(
  tx: Tx,
  keyId: number,
  type: string,
  units: number,
  prefer: number | null,
): Promise<{ projectId: number; units: number }[]> {
  const rows = await tx
    .selectFrom('activation_key_sources')
    .select(['project_id', 'units'])
    .where('key_id', '=', keyId)
    .where('license_type', '=', type)
    .orderBy('project_id')
    .execute();
  rows.sort((a, b) => Number(b.project_id === prefer) - Number(a.project_id === prefer));
  const taken: { projectId: number; units: number }[] = [];
  let left = units;
  for (const r of rows) {
    if (left === 0) break;
    const n = Math.min(left, Number(r.units));
    left -= n;
    taken.push({ projectId: r.project_id, units: n });
    if (n === Number(r.units)) {
      await tx
        .deleteFrom('activation_key_sources')
        .where('key_id', '=', keyId)
        .where('project_id', '=', r.project_id)
        .where('license_type', '=', type)
        .execute();
    } else {
      await tx
        .updateTable('activation_key_sources')
        .set({ units: sql`units - ${n}` })
        .where('key_id', '=', keyId)
        .where('project_id', '=', r.project_id)
        .where('license_type', '=', type)
        .execute();
    }
  }
  if (left !== 0) throw new Error(`key ${keyId}: sources of ${type} hold ${units - left}, ${units} expected`);
  return taken;
}

/** Takes units out of the key; KEY_LICENSES_INSUFFICIENT when it holds fewer. */
async function removeKeyUnits(tx: Tx, keyId: number, type: string, units: number) {
  const row = await tx
    .selectFrom('activation_key_licenses')
    .select('units')
    .where('key_id', '=', keyId)
    .where('license_type', '=', type)
    .executeTakeFirst();
  const have = Number(row?.units ?? 0);
  if (have < units)
    throw new MylicError(
      'KEY_LICENSES_INSUFFICIENT',
      `The key holds ${have} ${type}; ${units} cannot be removed.`,
      { licenseType: type, inKey: have, requested: units },
    );
  if (have === units)
    await tx
      .deleteFrom('activation_key_licenses')
      .where('key_id', '=', keyId)
      .where('license_type', '=', type)
      .execute();
  else
    await tx
      .updateTable('activation_key_licenses')
      .set({ units: sql`units - ${units}` })
      .where('key_id', '=', keyId)
      .where('license_type', '=', type)
      .execute();
}

// ---------------------------------------------------------------------------------------------
// views

async function ownKeyView(tx: Tx, keyId: number): Promise<OwnKey> {
  const key = await keyById(tx, keyId);
  if (!key || key.company_id === null) throw new MylicError('KEY_NOT_FOUND');
  const sources = await tx
    .selectFrom('activation_key_sources')
    .innerJoin('projects', 'projects.id', 'activation_key_sources.project_id')
    .select([
      'activation_key_sources.project_id as projectId',
      'projects.name as projectName',
      'activation_key_sources.license_type as type',
      'activation_key_sources.units',
    ])
    .where('activation_key_sources.key_id', '=', keyId)
    .orderBy('activation_key_sources.project_id')
    .orderBy('activation_key_sources.license_type')
    .execute();
  let redeemed: OwnKey['redeemed'] = null;
  if (key.redeemed_at !== null && key.redeemed_project_id !== null) {
    const p = await tx
      .selectFrom('projects')
      .select(['company_id', 'name'])
      .where('id', '=', key.redeemed_project_id)
      .executeTakeFirst();
    // Another company's project is not named: the key left the company, where it went is theirs.
    const own = p?.company_id === key.company_id;
    redeemed = {
      at: key.redeemed_at,
      projectId: own ? key.redeemed_project_id : null,
      projectName: own ? (p?.name ?? null) : null,
    };
  }
  return {
    keyId: key.id,
    key: formatKeyCode(key.code),
    companyId: key.company_id,
    licenses: await keyLicenses(tx, key.id),
    sources: sources.map((s) => ({ ...s, units: Number(s.units) })),
    comment: key.comment,
    orderNumber: key.order_number,
    orderReference: key.order_reference,
    createdAt: key.created_at,
    updatedAt: key.updated_at,
    redeemed,
  };
}

// ---------------------------------------------------------------------------------------------
// services

/**
 * Creates an own key from balances: each line draws from its project, else the request's project, else
 * the selected one; all projects must be own projects of one company.
 */
export async function createOwnKey(core: Core, actor: Actor, req: CreateOwnKeyRequest): Promise<OwnKey> {
  if (req.licenses.length === 0)
    throw new MylicError('VALIDATION_FAILED', 'A key needs at least one license.');
  const comment = text(req.comment, 500, 'comment') ?? '';
  const orderNumber = text(req.orderNumber, 100, 'order number') ?? '';
  const orderReference = text(req.orderReference, 100, 'order reference') ?? '';
  // (project, type) → units, in request order.
  const draws = new Map<string, { projectId: number; type: string; units: number }>();
  for (const l of req.licenses) {
    const projectId = l.projectId ?? req.projectId ?? actor.projectId ?? null;
    if (projectId === null)
      throw new MylicError(
        'PROJECT_NOT_SELECTED',
        'Select the project whose balance pays for the key, or name it (projectId).',
      );
    const type = catalog.licenseType(l.type).name;
    if (!Number.isInteger(l.units) || l.units <= 0) throw new MylicError('AMOUNT_INVALID');
    const k = `${projectId}/${type}`;
    const d = draws.get(k);
    if (d) d.units += l.units;
    else draws.set(k, { projectId, type, units: l.units });
  }
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    let companyId: number | null = null;
    let primary: number | null = null;
    for (const projectId of new Set([...draws.values()].map((d) => d.projectId))) {
      const project = await ownBalanceProject(tx, actor, projectId, companyId);
      companyId ??= project.company_id;
      primary ??= project.id;
    }
    // The key's project, when named, is checked even if every line names its own: another company's
    // project is never accepted silently (issue 11, found by the fuzz suite).
    if (req.projectId !== undefined) await ownBalanceProject(tx, actor, req.projectId, companyId);
    const ref = newKeyRef();
    const key = await tx
      .insertInto('activation_keys')
      .values({
        // myplay's own keys carry the prefix PLAY- (seed L338); the live portal refuses them.
        code: `${isPlay(core) ? PLAY_KEY_PREFIX : ''}${generateKeyCode()}`,
        ref,
        kind: 'own',
        company_id: companyId!,
        comment,
        order_number: orderNumber,
        order_reference: orderReference,
        created_by: actor.userId,
        created_at: at,
        updated_at: at,
        redeemed_project_id: null,
        redeemed_by: null,
        redeemed_at: null,
        redeem_comment: null,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const d of draws.values()) {
      await debitBalance(tx, at, d.projectId, d.type, d.units, 'key.created', ref);
      await addSource(tx, key.id, d.projectId, d.type, d.units);
      await addKeyUnits(tx, key.id, d.type, d.units);
      await keyEntry(tx, at, key.id, d.projectId, d.type, d.units, 'key.created');
    }
    const view = await ownKeyView(tx, key.id);
    await recordHistory(tx, at, {
      event: 'key.created',
      companyId,
      projectId: primary,
      userId: actor.userId,
      detail: {
        keyId: key.id,
        ref,
        licenses: view.licenses,
        sources: [...draws.values()],
        comment,
        orderNumber,
        orderReference,
      },
    });
    return view;
  });
}

/**
 * Updates an unredeemed own key: positive lines take units from a balance (the line's project, else
 * the selected one, else the key's first source), negative lines give units back (to the line's
 * project, else the selected one, else to where they came from); comment and order fields change when
 * given. A key keeps at least one license.
 */
export async function updateOwnKey(
  core: Core,
  actor: Actor,
  keyId: number,
  req: UpdateOwnKeyRequest,
): Promise<OwnKey> {
  const comment = text(req.comment, 500, 'comment');
  const orderNumber = text(req.orderNumber, 100, 'order number');
  const orderReference = text(req.orderReference, 100, 'order reference');
  const lines = (req.licenses ?? []).map((l) => {
    if (!Number.isInteger(l.units) || l.units === 0)
      throw new MylicError(
        'AMOUNT_INVALID',
        'Amounts are whole numbers other than 0 (negative ones remove licenses).',
      );
    return {
      type: catalog.licenseType(l.type).name,
      units: l.units,
      projectId: l.projectId ?? actor.projectId ?? null,
    };
  });
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const key = await ownKeyFor(tx, actor, keyId);
    // Take the key first, conditionally: a redeem racing this update (row locks on PostgreSQL) wins or waits.
    const held = await tx
      .updateTable('activation_keys')
      .set({ updated_at: at })
      .where('id', '=', key.id)
      .where('redeemed_at', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (key.redeemed_at !== null || Number(held.numUpdatedRows) !== 1)
      throw new MylicError(
        'KEY_ALREADY_REDEEMED',
        'This key has been redeemed: it cannot be changed any more.',
      );
    const changes: { type: string; units: number; projectId: number }[] = [];
    for (const l of lines) {
      if (l.units > 0) {
        let projectId = l.projectId;
        if (projectId === null) {
          const first = await tx
            .selectFrom('activation_key_sources')
            .select('project_id')
            .where('key_id', '=', key.id)
            .orderBy('project_id')
            .executeTakeFirst();
          projectId = first?.project_id ?? null;
        }
        if (projectId === null)
          throw new MylicError('PROJECT_NOT_SELECTED', 'Name the project whose balance pays (projectId).');
        const project = await ownBalanceProject(tx, actor, projectId, key.company_id);
        await debitBalance(tx, at, project.id, l.type, l.units, 'key.added', key.ref);
        await addSource(tx, key.id, project.id, l.type, l.units);
        await addKeyUnits(tx, key.id, l.type, l.units);
        await keyEntry(tx, at, key.id, project.id, l.type, l.units, 'key.added');
        changes.push({ type: l.type, units: l.units, projectId: project.id });
      } else {
        const units = -l.units;
        const target =
          l.projectId === null ? null : (await ownBalanceProject(tx, actor, l.projectId, key.company_id)).id;
        await removeKeyUnits(tx, key.id, l.type, units);
        const taken = await takeFromSources(tx, key.id, l.type, units, target);
        const back = target === null ? taken : [{ projectId: target, units }];
        for (const b of back) {
          await creditBalance(tx, at, b.projectId, l.type, b.units, 'key.returned', key.ref);
          await keyEntry(tx, at, key.id, b.projectId, l.type, -b.units, 'key.returned');
          changes.push({ type: l.type, units: -b.units, projectId: b.projectId });
        }
      }
    }
    const left = await tx
      .selectFrom('activation_key_licenses')
      .select('key_id')
      .where('key_id', '=', key.id)
      .executeTakeFirst();
    if (!left) throw new MylicError('KEY_EMPTY');
    await tx
      .updateTable('activation_keys')
      .set({
        updated_at: at,
        ...(comment !== undefined ? { comment } : {}),
        ...(orderNumber !== undefined ? { order_number: orderNumber } : {}),
        ...(orderReference !== undefined ? { order_reference: orderReference } : {}),
      })
      .where('id', '=', key.id)
      .execute();
    const view = await ownKeyView(tx, key.id);
    await recordHistory(tx, at, {
      event: 'key.updated',
      companyId: key.company_id,
      projectId: changes[0]?.projectId ?? actor.projectId ?? null,
      userId: actor.userId,
      detail: {
        keyId: key.id,
        ref: key.ref,
        changes,
        licenses: view.licenses,
        comment,
        orderNumber,
        orderReference,
      },
    });
    return view;
  });
}

/**
 * Deletes an unredeemed own key: its licenses go back into the named project, else the selected one
 * (seed: "back into the balance of the currently selected project"), else where they came from.
 */
export async function deleteOwnKey(
  core: Core,
  actor: Actor,
  keyId: number,
  opts: { projectId?: number | undefined } = {},
): Promise<OwnKeyDeleted> {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const key = await ownKeyFor(tx, actor, keyId);
    if (key.redeemed_at !== null)
      throw new MylicError(
        'KEY_ALREADY_REDEEMED',
        'This key has been redeemed: it cannot be deleted any more.',
      );
    const targetId = opts.projectId ?? actor.projectId ?? null;
    const target =
      targetId === null ? null : (await ownBalanceProject(tx, actor, targetId, key.company_id)).id;
    const returned: { projectId: number; type: string; units: number }[] = [];
    if (target !== null) {
      for (const l of await keyLicenses(tx, key.id))
        returned.push({ projectId: target, type: l.type, units: l.units });
    } else {
      const sources = await tx
        .selectFrom('activation_key_sources')
        .select(['project_id', 'license_type', 'units'])
        .where('key_id', '=', key.id)
        .orderBy('project_id')
        .orderBy('license_type')
        .execute();
      for (const s of sources)
        returned.push({ projectId: s.project_id, type: s.license_type, units: Number(s.units) });
    }
    for (const r of returned) {
      await creditBalance(tx, at, r.projectId, r.type, r.units, 'key.deleted', key.ref);
      await keyEntry(tx, at, key.id, r.projectId, r.type, -r.units, 'key.deleted');
    }
    await tx.deleteFrom('activation_key_sources').where('key_id', '=', key.id).execute();
    // The key row stays (soft delete): ledger entries name it, and its code must never come back.
    const gone = await tx
      .updateTable('activation_keys')
      .set({ deleted_at: at, updated_at: at })
      .where('id', '=', key.id)
      .where('redeemed_at', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(gone.numUpdatedRows) !== 1) throw new MylicError('KEY_NOT_FOUND');
    await recordHistory(tx, at, {
      event: 'key.deleted',
      companyId: key.company_id,
      projectId: target ?? returned[0]?.projectId ?? null,
      userId: actor.userId,
      detail: { keyId: key.id, ref: key.ref, returned },
    });
    return { keyId: key.id, returned };
  });
}

export async function getOwnKey(core: Core, actor: Actor, keyId: number): Promise<OwnKey> {
  const key = await ownKeyFor(core.store.db, actor, keyId);
  return ownKeyView(core.store.db, key.id);
}

/**
 * Own keys paid from the selected (or named) project, or with none selected all own keys of the
 * selected company (seed: Own Activations, "in the selected project (or over all projects)").
 */
export async function listOwnKeys(
  core: Core,
  actor: Actor,
  query: { projectId?: number | undefined } = {},
): Promise<{ scope: 'project' | 'all'; keys: OwnKey[] }> {
  const db = core.store.db;
  const projectId = query.projectId ?? actor.projectId ?? null;
  let ids: number[];
  if (projectId !== null) {
    const access = await projectAccess(db, actor, projectId);
    // Keys are never paid from an external project's balance: nothing of the owner's keys shows here.
    if (access.external) return { scope: 'project', keys: [] };
    const rows = await db
      .selectFrom('activation_keys')
      .innerJoin('activation_key_sources', 'activation_key_sources.key_id', 'activation_keys.id')
      .select('activation_keys.id')
      .distinct()
      .where('activation_key_sources.project_id', '=', projectId)
      .where('activation_keys.kind', '=', 'own')
      .where('activation_keys.deleted_at', 'is', null)
      .orderBy('activation_keys.id', 'desc')
      .execute();
    ids = rows.map((r) => r.id);
  } else {
    const { companyId } = await selectedCompany(db, actor);
    const rows = await db
      .selectFrom('activation_keys')
      .select('id')
      .where('company_id', '=', companyId)
      .where('kind', '=', 'own')
      .where('deleted_at', 'is', null)
      .orderBy('id', 'desc')
      .execute();
    ids = rows.map((r) => r.id);
  }
  const keys: OwnKey[] = [];
  for (const id of ids) keys.push(await ownKeyView(db, id));
  return { scope: projectId !== null ? 'project' : 'all', keys };
}

/** Units of each type in the company's unredeemed own keys ("in keys" of ARCHITECTURE §5). */
export async function unitsInKeys(tx: Tx, companyId: number): Promise<LicenseLine[]> {
  const rows = await tx
    .selectFrom('activation_key_licenses')
    .innerJoin('activation_keys', 'activation_keys.id', 'activation_key_licenses.key_id')
    .select([
      'activation_key_licenses.license_type as type',
      sql<number>`sum(activation_key_licenses.units)`.as('units'),
    ])
    .where('activation_keys.company_id', '=', companyId)
    .where('activation_keys.kind', '=', 'own')
    .where('activation_keys.redeemed_at', 'is', null)
    .where('activation_keys.deleted_at', 'is', null)
    .groupBy('activation_key_licenses.license_type')
    .orderBy('activation_key_licenses.license_type')
    .execute();
  return rows.map((r) => ({ type: r.type, units: Number(r.units) }));
}
