/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import { AddMemberForm, MemberChangeForm } from '../../../protocol/company-forms.js';
import { IdText } from '../../../protocol/ids.js';
import { CsrfForm } from '../../../protocol/portal-forms.js';
import type { Core } from '../../core/context.js';
import { addMember, listMembers, removeMember, updateMember } from '../../core/organisation/index.js';
import { type Lang, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  type NotFound,
  pageLanguage,
  type SessionOf,
  sameOrigin,
  type WebSession,
} from '../web-session.js';
import { renderOverview } from './company-overview.js';
import { codeOf, companyTabPage, type Err, type Status } from './company-shared.js';

/**
 * The users of the selected company (seed L264-272): admins add an account by its e-mail address
 * (optionally as admin), grant and take away the admin right, lock and unlock, and remove a user after a
 * confirmation page; the account and its history stay. The core (memberships.ts) decides who may: only
 * admins, never leaving the company without an admin who is not locked. A user id that is not a member
 * of the selected company — another company's user, or none — answers the not-found page.
 */
const EmailText = z.email().max(254);

export function companyUserPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound) {
  const userIdOf = (c: Context) => {
    const id = IdText.safeParse(c.req.param('id') ?? '');
    return id.success ? id.data : null;
  };
  const refusal = (lang: Lang, e: unknown): { text: string; status: Status } | null => {
    switch (codeOf(e)) {
      case 'FORBIDDEN':
        return { text: t(lang, 'companyAdminsOnly'), status: 403 };
      case 'LAST_ADMIN':
        return { text: t(lang, 'companyLastAdminError'), status: 409 };
      // Locked in the selected company, or none selected: the page then says so (company-page.tsx).
      case 'USER_LOCKED':
        return { text: t(lang, 'locked'), status: 403 };
      case 'COMPANY_NOT_FOUND':
        return { text: t(lang, 'noCompany'), status: 403 };
      default:
        return null;
    }
  };

  app.post('/company/users', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf, email, admin } = AddMemberForm.parse(await c.req.parseBody());
    const add = { email, admin };
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return renderOverview(c, core, s, { add, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    if (!EmailText.safeParse(email).success)
      return renderOverview(
        c,
        core,
        s,
        { add, errors: [{ field: 'email', text: t(lang, 'emailInvalid') }] },
        400,
      );
    let userId: number;
    try {
      userId = (await addMember(core, s.actor, email, admin)).userId;
    } catch (e) {
      const r = refusal(lang, e);
      if (r) return renderOverview(c, core, s, { add, errors: [{ text: r.text }] }, r.status);
      const code = codeOf(e);
      if (code === 'USER_NOT_FOUND')
        return renderOverview(
          c,
          core,
          s,
          { add, errors: [{ field: 'email', text: t(lang, 'companyUserUnknown') }] },
          400,
        );
      if (code === 'ALREADY_MEMBER')
        return renderOverview(
          c,
          core,
          s,
          { add, errors: [{ field: 'email', text: t(lang, 'companyAlreadyMember') }] },
          409,
        );
      throw e;
    }
    return c.redirect(`/company?done=added&user=${userId}`, 303);
  });

  app.post('/company/users/:id', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const userId = userIdOf(c);
    if (userId === null) return notFound(c);
    const { csrf, change } = MemberChangeForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return renderOverview(c, core, s, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    if (change === undefined) return notFound(c);
    try {
      await updateMember(
        core,
        s.actor,
        userId,
        change === 'grantAdmin' || change === 'revokeAdmin'
          ? { admin: change === 'grantAdmin' }
          : { locked: change === 'lock' },
      );
    } catch (e) {
      if (codeOf(e) === 'USER_NOT_FOUND') return notFound(c);
      const r = refusal(lang, e);
      if (r) return renderOverview(c, core, s, { errors: [{ text: r.text }] }, r.status);
      throw e;
    }
    const done = {
      grantAdmin: 'adminGranted',
      revokeAdmin: 'adminRevoked',
      lock: 'locked',
      unlock: 'unlocked',
    }[change];
    return c.redirect(`/company?done=${done}&user=${userId}`, 303);
  });

  app.get('/company/users/:id/remove', async (c) => {
    const s = await session(c);
    const userId = userIdOf(c);
    if (userId === null) return notFound(c);
    return renderRemove(c, core, s, userId, notFound, []);
  });

  app.post('/company/users/:id/remove', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const userId = userIdOf(c);
    if (userId === null) return notFound(c);
    const { csrf } = CsrfForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return renderRemove(c, core, s, userId, notFound, [{ text: t(lang, 'sessionExpired') }], 403);
    try {
      await removeMember(core, s.actor, userId);
    } catch (e) {
      if (codeOf(e) === 'USER_NOT_FOUND') return notFound(c);
      const r = refusal(lang, e);
      if (r) return renderRemove(c, core, s, userId, notFound, [{ text: r.text }], r.status);
      throw e;
    }
    return c.redirect('/company?done=removed', 303);
  });
}

/** "Remove this user?" — with the user's name and address, for admins; another company's user: not found. */
async function renderRemove(
  c: Context,
  core: Core,
  s: WebSession,
  userId: number,
  notFound: NotFound,
  errors: Err[],
  status: Status = 200,
) {
  let members: Awaited<ReturnType<typeof listMembers>>;
  try {
    members = await listMembers(core, s.actor);
  } catch (e) {
    // No company selected: nobody to remove. A locked member gets the locked sentence from the shell.
    if (codeOf(e) === 'COMPANY_NOT_FOUND') return notFound(c);
    if (codeOf(e) !== 'USER_LOCKED') throw e;
    return companyTabPage(
      c,
      core,
      s,
      { title: 'companyRemoveTitle', path: '/company' },
      async () => {
        throw e;
      },
      403,
    );
  }
  const user = members.users.find((u) => u.userId === userId);
  if (!user) return notFound(c);
  return companyTabPage(
    c,
    core,
    s,
    { title: 'companyRemoveTitle', path: `/company/users/${userId}/remove` },
    async ({ lang, companyName }) => {
      if (!members.editable)
        return (
          <>
            <p class="warning" role="alert">
              {t(lang, 'companyAdminsOnly')}
            </p>
            <p>
              <a href="/company">{t(lang, 'companyBack')}</a>
            </p>
          </>
        );
      return (
        <>
          <ErrorSummary lang={lang} errors={errors} />
          <section class="confirm">
            <p>
              {t(lang, 'companyRemoveQuestion', { name: user.name, email: user.email, company: companyName })}
            </p>
            {user.userId === s.actor.userId ? <p class="warning">{t(lang, 'companyRemoveSelf')}</p> : null}
            <form method="post" action={`/company/users/${userId}/remove`}>
              <input type="hidden" name="csrf" value={s.csrf} />
              <button type="submit" class="primary">
                {t(lang, 'companyRemoveConfirm')}
              </button>
            </form>
            <p>
              <a href="/company">{t(lang, 'companyBack')}</a>
            </p>
          </section>
        </>
      );
    },
    members.editable ? status : 403,
  );
}
