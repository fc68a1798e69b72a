/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import { companyPage } from '../company-page.js';
import { type Lang, type MessageKey, t } from '../i18n.js';
import type { WebSession } from '../web-session.js';

/** What the company pages share: the page shell with the Company tab, form fields with their errors. */
export type Err = { field?: string; text: string };
export type Status = 200 | 400 | 403 | 404 | 409 | 429;

export function companyTabPage(
  c: Context,
  core: Core,
  s: WebSession,
  page: { title: MessageKey; path: string },
  body: (ctx: { lang: Lang; companyName: string }) => Promise<Child>,
  status: Status = 200,
) {
  return companyPage(c, core, s, { ...page, active: 'company' }, body, status);
}

export const codeOf = (e: unknown) => (e instanceof MylicError ? e.code : null);

export function Notice(p: { text?: string | undefined }) {
  return p.text ? (
    <p class="notice" role="status">
      {p.text}
    </p>
  ) : null;
}

/** A labelled text input with its hint and the sentence of its error (GOV.UK pattern). */
export function Field(p: {
  id: string;
  name?: string;
  label: string;
  value?: string;
  hint?: string;
  type?: 'text' | 'email' | 'password';
  maxlength?: number;
  autocomplete?: string;
  errors: readonly Err[];
}) {
  const error = p.errors.find((e) => e.field === p.id);
  const described = [p.hint ? `${p.id}-hint` : '', error ? `${p.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field-error' : undefined}>
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="message" id={`${p.id}-error`}>
          {error.text}
        </p>
      ) : null}
      <input
        id={p.id}
        name={p.name ?? p.id}
        type={p.type ?? 'text'}
        value={p.type === 'password' ? undefined : (p.value ?? '')}
        maxlength={p.maxlength}
        autocomplete={p.autocomplete}
        aria-describedby={described || undefined}
        aria-invalid={error ? 'true' : undefined}
      />
    </div>
  );
}

/** The lengths the core accepts for a company's data (companies.ts, organisation-api.ts). */
export const LIMITS = { name: 200, street: 200, postalCode: 20, city: 200, country: 200 } as const;

/** The sentences for a company's data that is missing or too long; none when it may go to the core. */
export function dataErrors(
  lang: Lang,
  d: { name: string; street: string; postalCode: string; city: string; country: string },
  prefix = '',
): Err[] {
  const errors: Err[] = [];
  if (!d.name) errors.push({ field: `${prefix}name`, text: t(lang, 'companyNameRequired') });
  for (const k of Object.keys(LIMITS) as (keyof typeof LIMITS)[])
    if (d[k].length > LIMITS[k])
      errors.push({ field: `${prefix}${k}`, text: t(lang, 'companyTooLong', { max: LIMITS[k] }) });
  return errors;
}
