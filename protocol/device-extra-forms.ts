import * as z from 'zod';
import { IdText } from './ids.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The warranty extensions page of the devices menu (bridge/web/devices/warranty-batch-page.tsx): one
 * form post with the project, the years for all devices, the years per device (`y-<deviceId>`), the
 * totals the overview showed (`exp-<license type>`) and the step the button asked for. As in
 * portal-forms.ts, a field in an odd shape reads as empty, never as a crash.
 */
export const WarrantyBatchForm = CsrfForm.extend({
  projectId: IdText.optional().catch(undefined),
  all: z.string().trim().max(3).catch(''),
  step: z.enum(['apply', 'preview', 'confirm', 'change']).catch('preview'),
});

const YearsText = z.string().trim().max(3).catch('');
const DEVICE_FIELD = /^y-([1-9]\d{0,9})$/;
const EXPECTED_FIELD = /^exp-([A-Za-z0-9._-]{1,64})$/;

export interface WarrantyBatchInput extends z.infer<typeof WarrantyBatchForm> {
  /** Years as typed, per device id (at most 1000 devices read). */
  years: Map<number, string>;
  /** The totals per license type the overview showed (confirm step), or null when none were sent. */
  expected: Map<string, number> | null;
}

export function parseWarrantyBatch(body: Record<string, unknown>): WarrantyBatchInput {
  const base = WarrantyBatchForm.parse(body);
  const years = new Map<number, string>();
  let expected: Map<string, number> | null = null;
  for (const [name, value] of Object.entries(body)) {
    const d = DEVICE_FIELD.exec(name);
    if (d && years.size < 1000) {
      const id = IdText.safeParse(d[1]);
      if (id.success) years.set(id.data, YearsText.parse(value));
      continue;
    }
    const x = EXPECTED_FIELD.exec(name);
    if (x) {
      const n = field(9).parse(value);
      expected ??= new Map();
      expected.set(x[1]!, /^\d{1,9}$/.test(n) ? Number(n) : -1);
    }
  }
  return { ...base, years, expected };
}
