/**
 * protocol/hardware-id.ts formatMac, without that module's zod schemas: `mylic status` and the text
 * output load this instead of the full zod (test/unit/agent-state-schemas.test.ts compares the two).
 */
export const formatMac = (hw: string): string => hw.match(/../g)!.join('-');
