import { MylicError } from '../../../protocol/errors.js';
import {
  formatKeyCode,
  isPlayKeyCode,
  normaliseKeyCode,
  type ActivationItem,
  type KeyPreview,
  type LicenseLine,
  type Redemption,
} from '../../../protocol/keys-api.js';
import type { Tx } from '../../db/store.js';
import { projectAccess, selectedCompany } from '../access.js';
import { creditBalance, projectBalance } from '../ledger.js';
import { mergeLicenseLines } from '../catalog.js';
import { type Actor, type Core, isPlay, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { generateKeyCode, newKeyRef } from './key-codes.js';

/**
 * Activation keys (seed: Activations): the vendor's keys, issued by the operator, and redeeming any key
 * (the vendor's or a company's own, see own-keys.ts) into a project. A key is redeemed once, ever; its
 * licenses then enter the project's balance through ledger entries, in one transaction with one history
 * event.
 *
 * Probing: a key is 125 random bits, and wrong keys a user enters are counted; after
 * LOOKUP_MAX_FAILURES within LOOKUP_WINDOW_MS the user gets RATE_LIMITED (429, Retry-After) until the
 * window has passed. Before it is redeemed, a key shows nothing but its licenses, whoever created it.
 */

/** Who issues the vendor's keys, as printed on license certificates. */
export const VENDOR_NAME = 'mylic license portal';

export const LOOKUP_WINDOW_MS = 15 * 60_000;
export const LOOKUP_MAX_FAILURES = 10;

export async function keyById(tx: Tx, keyId: number) {
  return tx.selectFrom('activation_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
}

export async function keyLicenses(tx: Tx, keyId: number): Promise<LicenseLine[]> {
  const rows = await tx
    .selectFrom('activation_key_licenses')
    .select(['license_type as type', 'units'])
    .where('key_id', '=', keyId)
    .orderBy('license_type')
    .execute();
  return rows.map((r) => ({ type: r.type, units: Number(r.units) }));
}

/** The target project of a redeem: the one named, else the selected one. */
function targetProject(actor: Actor, projectId: number | undefined): number {
  const id = projectId ?? actor.projectId ?? null;
  if (id === null)
    throw new MylicError(
      'PROJECT_NOT_SELECTED',
      'Select the project the key goes into, or name it (projectId).',
    );
  return id;
}

// ---------------------------------------------------------------------------------------------
// probing limit

async function assertLookupAllowed(core: Core, userId: number): Promise<void> {
  const now = core.clock.now().getTime();
  const since = new Date(now - LOOKUP_WINDOW_MS).toISOString();
  const rows = await core.store.db
    .selectFrom('key_lookup_failures')
    .select('at')
    .where('user_id', '=', userId)
    .where('at', '>', since)
    .orderBy('at')
    .execute();
  if (rows.length >= LOOKUP_MAX_FAILURES) {
    const oldestCounted = rows[rows.length - LOOKUP_MAX_FAILURES]!;
    const retryAfter = Math.max(1, Math.ceil((Date.parse(oldestCounted.at) + LOOKUP_WINDOW_MS - now) / 1000));
    throw new MylicError(
      'RATE_LIMITED',
      `Too many wrong activation keys: try again in ${retryAfter} seconds.`,
      { retryAfter },
    );
  }
}

async function recordLookupFailure(core: Core, userId: number): Promise<void> {
  const now = core.clock.now();
  await core.store.write(async (tx) => {
    await tx
      .deleteFrom('key_lookup_failures')
      .where('user_id', '=', userId)
      .where('at', '<=', new Date(now.getTime() - LOOKUP_WINDOW_MS).toISOString())
      .execute();
    await tx.insertInto('key_lookup_failures').values({ user_id: userId, at: now.toISOString() }).execute();
  });
}

/** Runs a key lookup under the probing limit: every KEY_NOT_FOUND counts against the user. */
async function limitedLookup<T>(core: Core, actor: Actor, fn: () => Promise<T>): Promise<T> {
  await assertLookupAllowed(core, actor.userId);
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MylicError && e.code === 'KEY_NOT_FOUND') await recordLookupFailure(core, actor.userId);
    throw e;
  }
}

/** The live key with this code (any form a person types), or KEY_NOT_FOUND. Deleted keys do not exist. */
async function keyByCode(core: Core, tx: Tx, input: string) {
  const code = normaliseKeyCode(input);
  if (code === null)
    throw new MylicError(
      'KEY_NOT_FOUND',
      'There is no such activation key (a key has 25 letters and digits, e.g. ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2).',
    );
  // Seed L338: play keys "You won't be able to upload them on my.innovaphone.com" (myplay, bridge/core/play).
  if (isPlayKeyCode(code) && !isPlay(core)) throw new MylicError('PLAY_KEY_NOT_LIVE');
  const key = await tx
    .selectFrom('activation_keys')
    .selectAll()
    .where('code', '=', code)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!key) throw new MylicError('KEY_NOT_FOUND');
  return key;
}

// ---------------------------------------------------------------------------------------------
// vendor keys (operator)

export interface VendorKeyRequest {
  licenses: { type: string; units: number }[];
  orderNumber?: string;
  orderReference?: string;
}

/** The operator issues one of the vendor's keys (`mylic-bridge ops key issue`). */
export async function issueVendorKey(core: Core, req: VendorKeyRequest) {
  if (req.licenses.length === 0)
    throw new MylicError('VALIDATION_FAILED', 'A key needs at least one license (--type T --units N).');
  const licenses = mergeLicenseLines(req.licenses);
  const orderNumber = (req.orderNumber ?? '').trim();
  const orderReference = (req.orderReference ?? '').trim();
  if (orderNumber.length > 100 || orderReference.length > 100)
    throw new MylicError('VALIDATION_FAILED', 'Order number and reference have at most 100 characters.');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const code = generateKeyCode();
    const ref = newKeyRef();
    const key = await tx
      .insertInto('activation_keys')
      .values({
        code,
        ref,
        kind: 'vendor',
        company_id: null,
        order_number: orderNumber,
        order_reference: orderReference,
        created_by: null,
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
    for (const l of licenses)
      await tx
        .insertInto('activation_key_licenses')
        .values({ key_id: key.id, license_type: l.type, units: l.units })
        .execute();
    await recordHistory(tx, at, {
      event: 'key.issued',
      detail: { keyId: key.id, ref, licenses, orderNumber, orderReference, by: 'operator' },
    });
    return { keyId: key.id, key: formatKeyCode(code), ref, licenses, orderNumber, orderReference };
  });
}

// ---------------------------------------------------------------------------------------------
// redeeming

/** Shows the licenses of a key without redeeming it (seed: "You will then get a listing of all contained licenses"). */
export async function previewKey(
  core: Core,
  actor: Actor,
  req: { key: string; projectId?: number | undefined },
): Promise<KeyPreview> {
  const projectId = targetProject(actor, req.projectId);
  const { project } = await projectAccess(core.store.db, actor, projectId);
  return limitedLookup(core, actor, async () => {
    const key = await keyByCode(core, core.store.db, req.key);
    if (key.redeemed_at !== null) throw new MylicError('KEY_ALREADY_REDEEMED');
    return {
      key: formatKeyCode(key.code),
      licenses: await keyLicenses(core.store.db, key.id),
      projectId: project.id,
      projectName: project.name,
    };
  });
}

/**
 * Redeems a key into a project (the named or the selected one): its licenses enter the project's
 * balance. Users of a company with rights on the project may redeem into it (seed: Projects → Rights).
 * An own key's units leave the creating company's "in keys" at the same moment.
 */
export async function redeemKey(
  core: Core,
  actor: Actor,
  req: { key: string; comment?: string | undefined; projectId?: number | undefined },
): Promise<Redemption> {
  const projectId = targetProject(actor, req.projectId);
  const comment = (req.comment ?? '').trim();
  if (comment.length > 500)
    throw new MylicError('VALIDATION_FAILED', 'The comment has at most 500 characters.');
  // Walls first: who may not use the project learns nothing about keys.
  await projectAccess(core.store.db, actor, projectId);
  return limitedLookup(core, actor, () =>
    core.store.write(async (tx) => {
      const at = isoNow(core);
      const { project } = await projectAccess(tx, actor, projectId);
      const key = await keyByCode(core, tx, req.key);
      if (key.redeemed_at !== null) throw new MylicError('KEY_ALREADY_REDEEMED');
      // Conditional: exactly one redeem ever takes the key, even if two writers got this far.
      const taken = await tx
        .updateTable('activation_keys')
        .set({
          redeemed_project_id: project.id,
          redeemed_by: actor.userId,
          redeemed_at: at,
          redeem_comment: comment,
          updated_at: at,
        })
        .where('id', '=', key.id)
        .where('redeemed_at', 'is', null)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) throw new MylicError('KEY_ALREADY_REDEEMED');
      const licenses = await keyLicenses(tx, key.id);
      for (const l of licenses) {
        await creditBalance(tx, at, project.id, l.type, l.units, 'key.redeemed', key.ref);
        if (key.kind === 'own') {
          await tx
            .insertInto('activation_key_entries')
            .values({
              key_id: key.id,
              project_id: project.id,
              license_type: l.type,
              delta: -l.units,
              reason: 'key.redeemed',
              created_at: at,
            })
            .execute();
        }
      }
      await recordHistory(tx, at, {
        event: 'key.redeemed',
        companyId: project.company_id,
        projectId: project.id,
        userId: actor.userId,
        detail: {
          keyId: key.id,
          ref: key.ref,
          kind: key.kind,
          licenses,
          comment,
          issuerCompanyId: key.company_id,
        },
      });
      const balance = (await projectBalance(tx, project.id)).map((r) => ({
        type: r.type,
        units: Number(r.units),
      }));
      return {
        keyId: key.id,
        key: formatKeyCode(key.code),
        projectId: project.id,
        projectName: project.name,
        licenses,
        balance,
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// lists

export async function issuerName(tx: Tx, companyId: number | null): Promise<string> {
  if (companyId === null) return VENDOR_NAME;
  const row = await tx.selectFrom('companies').select('name').where('id', '=', companyId).executeTakeFirst();
  return row?.name ?? `company ${companyId}`;
}

/**
 * Keys redeemed into the selected (or named) project, or with none selected into any project of the
 * selected company (seed: Activations, "Deselect the current project to view all activation keys").
 */
export async function listActivations(core: Core, actor: Actor, query: { projectId?: number | undefined }) {
  const db = core.store.db;
  const projectId = query.projectId ?? actor.projectId ?? null;
  let projectIds: number[];
  let scope: 'project' | 'all';
  if (projectId !== null) {
    await projectAccess(db, actor, projectId);
    projectIds = [projectId];
    scope = 'project';
  } else {
    const { companyId } = await selectedCompany(db, actor);
    projectIds = (
      await db.selectFrom('projects').select('id').where('company_id', '=', companyId).execute()
    ).map((r) => r.id);
    scope = 'all';
  }
  if (projectIds.length === 0) return { scope, keys: [] };
  const rows = await db
    .selectFrom('activation_keys')
    .innerJoin('projects', 'projects.id', 'activation_keys.redeemed_project_id')
    .selectAll('activation_keys')
    .select('projects.name as project_name')
    .where('activation_keys.redeemed_project_id', 'in', projectIds)
    .orderBy('activation_keys.redeemed_at', 'desc')
    .orderBy('activation_keys.id', 'desc')
    .execute();
  const keys: ActivationItem[] = [];
  for (const k of rows) {
    keys.push({
      keyId: k.id,
      key: formatKeyCode(k.code),
      kind: k.kind,
      licenses: await keyLicenses(db, k.id),
      comment: k.redeem_comment ?? '',
      orderNumber: k.order_number,
      orderReference: k.order_reference,
      issuer: await issuerName(db, k.company_id),
      projectId: k.redeemed_project_id!,
      projectName: k.project_name,
      redeemedAt: k.redeemed_at!,
    });
  }
  return { scope, keys };
}

/**
 * Whether a project has activation keys (redeemed into it, or live own keys paid from it): a project
 * with keys cannot be deleted (seed: Projects → Delete).
 */
export async function projectHasKeys(tx: Tx, projectId: number): Promise<boolean> {
  const redeemed = await tx
    .selectFrom('activation_keys')
    .select('id')
    .where('redeemed_project_id', '=', projectId)
    .executeTakeFirst();
  if (redeemed) return true;
  const source = await tx
    .selectFrom('activation_key_sources')
    .innerJoin('activation_keys', 'activation_keys.id', 'activation_key_sources.key_id')
    .select('activation_keys.id')
    .where('activation_key_sources.project_id', '=', projectId)
    .where('activation_keys.deleted_at', 'is', null)
    .executeTakeFirst();
  return !!source;
}
