import * as z from 'zod';

/** The five languages of the portal (seed: Language). */
export const LANGUAGES = ['en', 'de', 'it', 'nl', 'fr'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;
