/** @jsxImportSource hono/jsx */
import { t, type Lang } from '../i18n.js';
import type { FieldError } from './project-errors.js';

/** Name and description of a project (create, and Properties), with the sentence beside a refused field. */
export function ProjectFields(p: {
  lang: Lang;
  errors: readonly FieldError[];
  values: { name: string; description: string };
}) {
  const err = (field: string) => p.errors.find((e) => e.field === field)?.text;
  const nameErr = err('name');
  const descErr = err('description');
  return (
    <>
      <div class={nameErr ? 'field-error' : undefined}>
        <label for="name">{t(p.lang, 'projName')}</label>
        <p class="hint" id="name-hint">
          {t(p.lang, 'projNameHint')}
        </p>
        {nameErr ? (
          <p class="message" id="name-error">
            {nameErr}
          </p>
        ) : null}
        <input
          id="name"
          name="name"
          type="text"
          maxlength={100}
          required
          autocomplete="off"
          aria-describedby={nameErr ? 'name-hint name-error' : 'name-hint'}
          aria-invalid={nameErr ? 'true' : undefined}
          value={p.values.name}
        />
      </div>
      <div class={descErr ? 'field-error' : undefined}>
        <label for="description">{t(p.lang, 'projDescriptionLabel')}</label>
        {descErr ? (
          <p class="message" id="description-error">
            {descErr}
          </p>
        ) : null}
        <textarea
          id="description"
          name="description"
          rows={3}
          maxlength={2000}
          aria-describedby={descErr ? 'description-error' : undefined}
          aria-invalid={descErr ? 'true' : undefined}
        >
          {p.values.description}
        </textarea>
      </div>
    </>
  );
}
