import { MylicError } from '../../../protocol/errors.js';
import { MAX_DEVICES_PER_BATCH, type BatchResult } from '../../../protocol/devices-api.js';
import {
  formatHardwareId,
  hardwareIdKind,
  parseHardwareId,
  parseMac,
  type HardwareIdKind,
} from '../../../protocol/hardware-id.js';
import { projectAccess } from '../access.js';
import { errorText, eventLog } from '../../ops/event-log.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { placeDevice, type PlaceSource } from './devices.js';
import { orderLines, orderNumber, orderOfCompany } from './orders.js';

/**
 * Adding many devices at once (seed: Devices → Add: a MAC range, a text file of MACs, all devices of an
 * order; at most 50 at once; Errors and Warnings).
 *
 * Decided: each row is its own transaction (and its own `device.added` history event). A row that fails
 * (DEVICE_ALREADY_IN_COMPANY, DEVICE_UNKNOWN — not in the vendor's device database, seed L312–314 —,
 * DEVICE_ALREADY_IMPORTED for a device listed twice, …) adds nothing and leaves the others as they are,
 * and every row reports its outcome, so a batch never stops half-way silently: the rows before a
 * failure stay added and say so, the rows after it are still tried. Input is checked whole before any
 * row is tried: a malformed line or a range over 50 answers 400 and adds nothing. The type of every
 * device is the vendor database's; the user gives none. The walls (project access) are checked before
 * the first row and again in every row's transaction.
 */

export interface BatchItem {
  line: number;
  input: string;
  hardwareId: string;
  kind: HardwareIdKind;
}

function resolveProject(actor: Actor, projectId: number | undefined): number {
  const id = projectId ?? actor.projectId ?? null;
  if (id === null)
    throw new MylicError(
      'PROJECT_NOT_SELECTED',
      'Select a project first, or name the project to add the devices to.',
    );
  return id;
}

function assertBatchSize(n: number, what: string) {
  if (n > MAX_DEVICES_PER_BATCH) {
    throw new MylicError(
      'DEVICE_BATCH_TOO_LARGE',
      `The ${what} holds ${n} devices: at most ${MAX_DEVICES_PER_BATCH} can be added at once.`,
      { count: n, max: MAX_DEVICES_PER_BATCH },
    );
  }
}

async function runBatch(
  core: Core,
  actor: Actor,
  projectId: number,
  source: BatchResult['source'],
  items: BatchItem[],
  src: Omit<PlaceSource, 'source'> = {},
): Promise<BatchResult> {
  // The walls first: a stranger, a locked user or an unknown project gets its answer before any row.
  await projectAccess(core.store.db, actor, projectId);
  const rows: BatchResult['rows'] = [];
  const importedBy = new Map<string, number>();
  for (const item of items) {
    const base = {
      line: item.line,
      input: item.input,
      hardwareId: item.hardwareId,
      display: formatHardwareId(item.hardwareId),
    };
    // Seed, Errors, Already Imported: "This device has been already imported. You can't import it
    // again." — a device listed again in the same file or order after an earlier line imported it.
    const earlier = importedBy.get(item.hardwareId);
    if (earlier !== undefined) {
      const err = new MylicError(
        'DEVICE_ALREADY_IMPORTED',
        `Device ${base.display} was already imported by line ${earlier} of this ${source}: it cannot be imported again.`,
      );
      rows.push({
        ...base,
        outcome: 'failed',
        deviceId: null,
        error: { code: err.code, message: err.message },
        warnings: [],
      });
      continue;
    }
    try {
      const placed = await core.store.write(async (tx) => {
        const at = isoNow(core);
        const { project } = await projectAccess(tx, actor, projectId);
        return placeDevice(tx, at, actor, project, item.hardwareId, { source, ...src });
      });
      rows.push({
        ...base,
        outcome: 'added',
        deviceId: placed.deviceId,
        error: null,
        warnings: placed.warnings,
      });
      importedBy.set(item.hardwareId, item.line);
    } catch (e) {
      if (!(e instanceof MylicError)) {
        eventLog().error('device.batch_row_failed', {
          hardwareId: item.hardwareId,
          error: errorText(e, true),
        });
      }
      const err = e instanceof MylicError ? e : new MylicError('INTERNAL');
      rows.push({
        ...base,
        outcome: 'failed',
        deviceId: null,
        error: { code: err.code, message: err.message },
        warnings: [],
      });
    }
  }
  const added = rows.filter((r) => r.outcome === 'added').length;
  return { source, projectId, added, failed: rows.length - added, rows };
}

// ---------------------------------------------------------------------------------------------
// range

/** The MACs from `from` to `to`, both included (seed: "from 00-90-33-08-20-00 to 00-90-33-08-22-00"). */
export function macRange(fromInput: string, toInput: string): BatchItem[] {
  const from = parseMac(fromInput);
  const to = parseMac(toInput);
  const a = Number.parseInt(from, 16);
  const b = Number.parseInt(to, 16);
  if (b < a)
    throw new MylicError(
      'DEVICE_RANGE_INVALID',
      `The range ends (${formatHardwareId(to)}) before it starts (${formatHardwareId(from)}).`,
    );
  // A range stays within the vendor prefix (OUI, the first three bytes) of its start: counting past
  // 00-90-33-FF-FF-FF would silently add another vendor's addresses.
  if (to.slice(0, 6) !== from.slice(0, 6)) {
    const prefix = formatHardwareId(from).slice(0, 8);
    throw new MylicError(
      'DEVICE_RANGE_INVALID',
      `The range ${formatHardwareId(from)} to ${formatHardwareId(to)} leaves the vendor prefix ${prefix}: both ends must start with ${prefix} (a range ends at ${prefix}-FF-FF-FF at most).`,
      { prefix },
    );
  }
  assertBatchSize(b - a + 1, `range ${formatHardwareId(from)} to ${formatHardwareId(to)}`);
  const items: BatchItem[] = [];
  for (let n = a, line = 1; n <= b; n++, line++) {
    const hardwareId = n.toString(16).toUpperCase().padStart(12, '0');
    items.push({ line, input: formatHardwareId(hardwareId), hardwareId, kind: 'mac' });
  }
  return items;
}

export async function addDeviceRange(
  core: Core,
  actor: Actor,
  req: { from: string; to: string; projectId?: number | undefined },
) {
  const items = macRange(req.from, req.to);
  return runBatch(core, actor, resolveProject(actor, req.projectId), 'range', items);
}

// ---------------------------------------------------------------------------------------------
// text file

/**
 * One MAC or IPEI per line (seed: "each line one mac"); blank lines and white space around are ignored,
 * and a line holding several MACs separated by spaces, commas or semicolons is read as several (the
 * seed's own example shows them on one line). Every malformed line is listed in one MAC_INVALID answer.
 */
export function parseDeviceFile(text: string): BatchItem[] {
  const items: BatchItem[] = [];
  const bad: { line: number; input: string; message: string }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (!t) return;
    try {
      const { hardwareId, kind } = parseHardwareId(t);
      items.push({ line: i + 1, input: t, hardwareId, kind });
      return;
    } catch (e) {
      const tokens = t.split(/[\s,;]+/).filter(Boolean);
      if (tokens.length > 1) {
        try {
          const parsed = tokens.map((tok) => ({ tok, ...parseHardwareId(tok) }));
          for (const p of parsed)
            items.push({ line: i + 1, input: p.tok, hardwareId: p.hardwareId, kind: p.kind });
          return;
        } catch {
          /* reported below with the whole line */
        }
      }
      bad.push({ line: i + 1, input: t.slice(0, 64), message: (e as Error).message });
    }
  });
  if (bad.length) {
    throw new MylicError(
      'MAC_INVALID',
      `${bad.length} line(s) of the file are not MAC addresses or IPEIs: ${bad
        .slice(0, 5)
        .map((b) => `line ${b.line} "${b.input}"`)
        .join(', ')}${bad.length > 5 ? ', …' : ''}. Nothing was added.`,
      {
        lines: bad.slice(0, MAX_DEVICES_PER_BATCH),
      },
    );
  }
  if (!items.length) throw new MylicError('VALIDATION_FAILED', 'The file holds no MAC addresses.');
  assertBatchSize(items.length, 'file');
  return items;
}

export async function addDeviceFile(
  core: Core,
  actor: Actor,
  req: { text: string; projectId?: number | undefined },
) {
  const items = parseDeviceFile(req.text);
  return runBatch(core, actor, resolveProject(actor, req.projectId), 'file', items);
}

// ---------------------------------------------------------------------------------------------
// order

/**
 * All devices of an order of the selected company. The operator's order registration put them in the
 * device database; a line whose device is missing fails with DEVICE_UNKNOWN like any other. The seed's limit
 * of 50 is for ranges and files; an order adds all of its devices (one transaction each, as above).
 */
export async function addDeviceOrder(
  core: Core,
  actor: Actor,
  req: { orderNumber: string; projectId?: number | undefined },
) {
  const number = orderNumber(req.orderNumber);
  const projectId = resolveProject(actor, req.projectId);
  const order = await orderOfCompany(core.store.db, actor, number);
  const lines = await orderLines(core.store.db, order.order_number);
  const items = lines.map((l, i) => ({
    line: i + 1,
    input: formatHardwareId(l.hardware_id),
    hardwareId: l.hardware_id,
    kind: hardwareIdKind(l.hardware_id),
  }));
  return runBatch(core, actor, projectId, 'order', items, { orderNumber: order.order_number });
}
