import { MylicError } from '../../../protocol/errors.js';
import { projectAccess } from '../access.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { balanceOf, creditBalance } from '../ledger.js';
import { assertPlay, PLAY_REF } from './play-mode.js';

/**
 * Seed L336 (myplay, Balance): "You can change your balance by yourself. Simply select the license
 * type in the dropdown box on the balance page, enter the desired amount and your balance will be
 * increased by this type." Sandbox only (PLAY_ONLY elsewhere); a ledger entry of its own kind
 * (`play.credited`, ref `myplay`) and the history event `play.balance_added` say where the units came
 * from. Into one of the company's own projects (the named or the selected one): rights on another
 * company's project never credit that company's balance.
 */
export const PLAY_MAX_UNITS = 100_000;

export interface PlayBalanceRequest {
  projectId?: number | undefined;
  type: string;
  units: number;
}

export async function addPlayBalance(core: Core, actor: Actor, req: PlayBalanceRequest) {
  assertPlay(core);
  const projectId = req.projectId ?? actor.projectId ?? null;
  if (projectId === null) throw new MylicError('PROJECT_NOT_SELECTED');
  const type = catalog.licenseType(req.type);
  if (!Number.isInteger(req.units) || req.units < 1 || req.units > PLAY_MAX_UNITS)
    throw new MylicError('AMOUNT_INVALID', `The amount must be a whole number from 1 to ${PLAY_MAX_UNITS}.`);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project, external } = await projectAccess(tx, actor, projectId);
    if (external) throw new MylicError('FORBIDDEN', "Only the project's own company can add to its balance.");
    await creditBalance(tx, at, project.id, type.name, req.units, 'play.credited', PLAY_REF);
    await recordHistory(tx, at, {
      event: 'play.balance_added',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      detail: { type: type.name, units: req.units },
    });
    return {
      projectId: project.id,
      projectName: project.name,
      type: type.name,
      units: req.units,
      balance: await balanceOf(tx, project.id, type.name),
    };
  });
}

/** The license types the balance dropdown offers: every type of the catalog, SSC included. */
export const playBalanceTypes = (): string[] => catalog.licenseTypes.map((t) => t.name);
