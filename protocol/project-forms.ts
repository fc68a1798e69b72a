import * as z from 'zod';
import { CsrfForm, field } from './portal-forms.js';
import { IdText } from './ids.js';

/**
 * The form posts of the projects pages (bridge/web/organisation/projects.tsx): create and edit a
 * project, select one, grant and revoke a company's rights, join it into another. Odd shapes read as
 * empty (portal-forms.ts); the page then answers with the sentence for that field.
 */

/** Create, and Properties (seed: "Rename the project or/and change its description"). */
export const ProjectForm = CsrfForm.extend({ name: field(200), description: field(4000) });
export type ProjectForm = z.infer<typeof ProjectForm>;

/** Grant a right: the other company's id as typed (the page says when it is no id). */
export const GrantRightForm = CsrfForm.extend({ companyId: z.string().trim().max(20).catch('') });

/** Join: the target project; the SSC total the page showed, when the target is under SSA. */
export const JoinProjectForm = CsrfForm.extend({
  intoProjectId: IdText.optional().catch(undefined),
  expectedTotal: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .optional()
    .catch(undefined),
});
