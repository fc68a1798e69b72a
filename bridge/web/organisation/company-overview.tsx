/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { IdText } from '../../../protocol/ids.js';
import { getProfile } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { type CompanyData, getCompany, listMembers, type Member } from '../../core/organisation/index.js';
import { formatDate, type Lang, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import type { WebSession } from '../web-session.js';
import { NewCompanyForms } from './company-new.js';
import { codeOf, companyTabPage, type Err, Field, Notice, type Status } from './company-shared.js';

/**
 * GET /company (seed L262-287): the selected company's data with its id, its users — with the admin's
 * actions on each row and the form to add one — and the ways to import another company and to create a
 * new one. A user without a selected company gets the way to create one or to be added (seed L28-31),
 * and the companies they are in, to select one. Everything comes from the same core calls as the API's
 * GET /company and GET /company/users, so a member sees their own company only.
 */
export interface OverviewView {
  notice?: string | undefined;
  errors?: Err[];
  add?: { email: string; admin: boolean };
}

/** The notice after a redirect (`?done=…`): fixed sentences, with a user's address read from the list. */
function noticeOf(c: Context, lang: Lang, users: readonly Member[]): string | undefined {
  const done = c.req.query('done');
  const id = IdText.safeParse(c.req.query('user') ?? '');
  const who = id.success ? users.find((u) => u.userId === id.data)?.email : undefined;
  const joined = IdText.safeParse(c.req.query('id') ?? '');
  switch (done) {
    case 'created':
      return undefined; // said with the company's name below, once the data is read
    case 'updated':
      return t(lang, 'companyUpdated');
    case 'removed':
      return t(lang, 'companyUserRemoved');
    case 'joined':
      return joined.success ? t(lang, 'companyJoined', { id: joined.data }) : undefined;
    case 'added':
      return who ? t(lang, 'companyUserAdded', { email: who }) : undefined;
    case 'adminGranted':
      return who ? t(lang, 'companyAdminGranted', { email: who }) : undefined;
    case 'adminRevoked':
      return who ? t(lang, 'companyAdminRevoked', { email: who }) : undefined;
    case 'locked':
      return who ? t(lang, 'companyUserLocked', { email: who }) : undefined;
    case 'unlocked':
      return who ? t(lang, 'companyUserUnlocked', { email: who }) : undefined;
    default:
      return undefined;
  }
}

export function renderOverview(c: Context, core: Core, s: WebSession, v: OverviewView, status: Status = 200) {
  return companyTabPage(
    c,
    core,
    s,
    { title: 'tabCompany', path: '/company' },
    async ({ lang }) => {
      let company: CompanyData;
      try {
        company = await getCompany(core, s.actor);
      } catch (e) {
        if (codeOf(e) !== 'COMPANY_NOT_FOUND') throw e;
        const profile = await getProfile(core, s.actor);
        return (
          <NoCompany
            lang={lang}
            profile={profile}
            s={s}
            notice={v.notice ?? noticeOf(c, lang, [])}
            errors={v.errors ?? []}
          />
        );
      }
      const { users } = await listMembers(core, s.actor);
      const errors = v.errors ?? [];
      const notice =
        v.notice ??
        (c.req.query('done') === 'created'
          ? t(lang, 'companyCreated', { name: company.name })
          : noticeOf(c, lang, users));
      return (
        <>
          <p class="lead">{t(lang, 'companyIntro', { company: company.name })}</p>
          <Notice text={notice} />
          <ErrorSummary lang={lang} errors={errors} />
          {company.admin ? null : <p class="hint">{t(lang, 'companyReadOnly')}</p>}
          <CompanyDataSection lang={lang} company={company} />
          <UsersSection lang={lang} s={s} admin={company.admin} users={users} v={v} />
          <nav class="company-more" aria-label={t(lang, 'tabCompany')}>
            <ul>
              {company.admin ? (
                <li>
                  <a href="/company/join">{t(lang, 'companyJoinTitle')}</a>
                </li>
              ) : null}
              <li>
                <a href="/company/new">{t(lang, 'companyNewTitle')}</a>
              </li>
            </ul>
          </nav>
        </>
      );
    },
    status,
  );
}

function NoCompany(p: {
  lang: Lang;
  profile: Awaited<ReturnType<typeof getProfile>>;
  s: WebSession;
  notice: string | undefined;
  errors: readonly Err[];
}) {
  const { lang, s, profile } = p;
  return (
    <>
      <Notice text={p.notice} />
      <p class="lead">{t(lang, 'companyNoCompanyIntro', { email: profile.email })}</p>
      <ErrorSummary lang={lang} errors={p.errors} />
      {profile.companies.length ? (
        <section aria-labelledby="your-companies">
          <h2 id="your-companies">{t(lang, 'companyYourCompanies')}</h2>
          <p>{t(lang, 'companyPickOne')}</p>
          <table class="company-list">
            <thead>
              <tr>
                <th scope="col">{t(lang, 'companyName')}</th>
                <th scope="col">{t(lang, 'companyLockedColumn')}</th>
                <th scope="col">{t(lang, 'companyActions')}</th>
              </tr>
            </thead>
            <tbody>
              {profile.companies.map((co) => (
                <tr>
                  <th scope="row">{co.name}</th>
                  <td>{t(lang, co.locked ? 'companyYes' : 'companyNo')}</td>
                  <td>
                    {co.locked ? null : (
                      <form method="post" action="/company/select" class="inline">
                        <input type="hidden" name="csrf" value={s.csrf} />
                        <input type="hidden" name="next" value="/company" />
                        <input type="hidden" name="companyId" value={String(co.id)} />
                        <button type="submit" class="secondary">
                          {t(lang, 'companySelectThis')}
                          <span class="visually-hidden"> {co.name}</span>
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <h2>{t(lang, 'companyNewTitle')}</h2>
      <NewCompanyForms lang={lang} csrf={s.csrf} input={{}} errors={[]} />
    </>
  );
}

function CompanyDataSection(p: { lang: Lang; company: CompanyData }) {
  const { lang, company } = p;
  const rows: [string, string][] = [
    [t(lang, 'companyName'), company.name],
    [t(lang, 'companyStreet'), company.street],
    [t(lang, 'companyPostalCode'), company.postalCode],
    [t(lang, 'companyCity'), company.city],
    [t(lang, 'companyCountry'), company.country],
  ];
  if (company.vendorAccountId) rows.push([t(lang, 'companyAccountId'), company.vendorAccountId]);
  return (
    <section aria-labelledby="company-data">
      <h2 id="company-data">{t(lang, 'companyDataTitle')}</h2>
      <dl class="company-data">
        <dt>{t(lang, 'companyId')}</dt>
        <dd>
          <strong class="company-id">{String(company.id)}</strong>
          <span class="hint">{t(lang, 'companyIdHint')}</span>
        </dd>
        {rows.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v || '—'}</dd>
          </>
        ))}
      </dl>
      {company.editable ? (
        <p>
          <a href="/company/edit">{t(lang, 'companyEditLink')}</a>
        </p>
      ) : company.vendorAccountId ? (
        <p class="hint">{t(lang, 'companyFromVendor', { account: company.vendorAccountId })}</p>
      ) : null}
    </section>
  );
}

function UsersSection(p: {
  lang: Lang;
  s: WebSession;
  admin: boolean;
  users: readonly Member[];
  v: OverviewView;
}) {
  const { lang, s, admin, users } = p;
  const activeAdmins = users.filter((u) => u.admin && !u.locked).length;
  const errors = p.v.errors ?? [];
  return (
    <section aria-labelledby="company-users">
      <h2 id="company-users">{t(lang, 'companyUsersTitle')}</h2>
      <p class="hint">{t(lang, admin ? 'companyUsersIntro' : 'companyUsersReadOnly')}</p>
      <table class="company-users">
        <thead>
          <tr>
            <th scope="col">{t(lang, 'name')}</th>
            <th scope="col">{t(lang, 'email')}</th>
            <th scope="col">{t(lang, 'companyAdminColumn')}</th>
            <th scope="col">{t(lang, 'companyLockedColumn')}</th>
            <th scope="col">{t(lang, 'companySince')}</th>
            {admin ? <th scope="col">{t(lang, 'companyActions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {users.map((u) => {
            const me = u.userId === s.actor.userId;
            // The one admin who can act: the core refuses taking that away, so no button offers it.
            const lastAdmin = u.admin && !u.locked && activeAdmins <= 1;
            return (
              <tr class={u.locked ? 'locked' : undefined}>
                <th scope="row">
                  {u.name}
                  {me ? <span class="tag">{t(lang, 'companyYou')}</span> : null}
                </th>
                <td>{u.email}</td>
                <td>
                  {t(lang, u.admin ? 'companyYes' : 'companyNo')}
                  {lastAdmin ? <span class="tag">{t(lang, 'companyLastAdmin')}</span> : null}
                </td>
                <td>{t(lang, u.locked ? 'companyYes' : 'companyNo')}</td>
                <td>{formatDate(lang, u.since)}</td>
                {admin ? (
                  <td>
                    <div class="company-actions">
                      {lastAdmin ? null : (
                        <MemberButton
                          s={s}
                          user={u}
                          change={u.admin ? 'revokeAdmin' : 'grantAdmin'}
                          label={t(lang, u.admin ? 'companyRevokeAdmin' : 'companyGrantAdmin')}
                        />
                      )}
                      {lastAdmin || me ? null : (
                        <MemberButton
                          s={s}
                          user={u}
                          change={u.locked ? 'unlock' : 'lock'}
                          label={t(lang, u.locked ? 'companyUnlock' : 'companyLock')}
                        />
                      )}
                      {lastAdmin ? null : (
                        <a href={`/company/users/${u.userId}/remove`}>
                          {t(lang, 'companyRemove')}
                          <span class="visually-hidden"> {u.email}</span>
                        </a>
                      )}
                    </div>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      {admin ? (
        <form class="card company-add" method="post" action="/company/users" novalidate>
          <h3>{t(lang, 'companyAddTitle')}</h3>
          <input type="hidden" name="csrf" value={s.csrf} />
          <Field
            id="email"
            type="email"
            label={t(lang, 'email')}
            hint={t(lang, 'companyAddEmailHint')}
            value={p.v.add?.email ?? ''}
            maxlength={254}
            autocomplete="off"
            errors={errors}
          />
          <div class="checkbox">
            <input id="admin" name="admin" type="checkbox" value="yes" checked={p.v.add?.admin ?? false} />
            <label for="admin">{t(lang, 'companyAddAsAdmin')}</label>
          </div>
          <button type="submit" class="primary">
            {t(lang, 'companyAddButton')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

function MemberButton(p: { s: WebSession; user: Member; change: string; label: string }) {
  return (
    <form method="post" action={`/company/users/${p.user.userId}`} class="inline">
      <input type="hidden" name="csrf" value={p.s.csrf} />
      <input type="hidden" name="change" value={p.change} />
      <button type="submit" class="secondary">
        {p.label}
        <span class="visually-hidden"> {p.user.email}</span>
      </button>
    </form>
  );
}
