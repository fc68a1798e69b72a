/** @jsxImportSource hono/jsx */
import type { DeviceListParams } from '../../../protocol/device-list-forms.js';
import type { DeviceListPage, DeviceListRow } from '../../core/devices/index.js';
import { t, type Lang } from '../i18n.js';

/**
 * Pieces of the devices list (device-list-page.tsx): the list's URLs, its filter form and one row,
 * read-only or with its name and comment as fields (edit mode, `?edit=<deviceId>`).
 */

export interface ProjectOption {
  id: number;
  name: string;
  external: boolean;
  companyName: string;
  ssaEnd: string | null;
}

/** The list's address with its filter, order and page (and whatever else is asked). */
export function listHref(p: DeviceListParams, extra: Record<string, string | number | undefined> = {}) {
  const q = new URLSearchParams();
  if (p.q) q.set('q', p.q);
  if (p.project !== undefined) q.set('project', String(p.project));
  if (p.sort !== 'added') q.set('sort', p.sort);
  if (p.after) q.set('after', p.after);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `/devices?${s}` : '/devices';
}

/** The list's parameters as hidden fields of a form that returns to the same page. */
export function ListHiddenFields(p: { params: DeviceListParams }) {
  return (
    <>
      {p.params.q ? <input type="hidden" name="q" value={p.params.q} /> : null}
      {p.params.project !== undefined ? (
        <input type="hidden" name="project" value={String(p.params.project)} />
      ) : null}
      <input type="hidden" name="sort" value={p.params.sort} />
      {p.params.after ? <input type="hidden" name="after" value={p.params.after} /> : null}
    </>
  );
}

export function FilterForm(p: {
  lang: Lang;
  params: DeviceListParams;
  scope: number | null;
  projects: readonly ProjectOption[];
}) {
  const { lang, params } = p;
  const sorts = [
    ['added', 'dlSortAdded'],
    ['added-desc', 'dlSortAddedDesc'],
    ['mac', 'dlSortMac'],
    ['mac-desc', 'dlSortMacDesc'],
  ] as const;
  return (
    <form method="get" action="/devices" class="dl-filter">
      <div>
        <label for="dl-q">{t(lang, 'dlFilter')}</label>
        <input id="dl-q" name="q" type="search" maxlength={100} value={params.q} />
      </div>
      <div>
        <label for="dl-project">{t(lang, 'project')}</label>
        <select id="dl-project" name="project">
          <option value="all" selected={p.scope === null}>
            {t(lang, 'balanceAll')}
          </option>
          {p.projects.map((pr) => (
            <option value={String(pr.id)} selected={pr.id === p.scope}>
              {pr.external ? `${pr.name} (${pr.companyName})` : pr.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="dl-sort">{t(lang, 'dlSort')}</label>
        <select id="dl-sort" name="sort">
          {sorts.map(([v, k]) => (
            <option value={v} selected={params.sort === v}>
              {t(lang, k)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="primary">
        {t(lang, 'dlShow')}
      </button>
    </form>
  );
}

export const deviceHref = (hardwareId: string) => `/devices/${encodeURIComponent(hardwareId)}`;

export function Notes(p: { lang: Lang; d: DeviceListRow }) {
  const { lang, d } = p;
  return (
    <>
      {d.inRma ? <span class="tag dl-rma-tag">{t(lang, 'dlInRma')}</span> : null}
      {d.otherCompanies ? <span class="tag dl-warn-tag">{t(lang, 'dlSeveralCompanies')}</span> : null}
      {d.external ? <span class="tag">{t(lang, 'dlExternal')}</span> : null}
    </>
  );
}

export function DeviceRow(p: {
  lang: Lang;
  d: DeviceListRow;
  params: DeviceListParams;
  csrf: string;
  editing: boolean;
  /** What the edit form sent (kept after a refusal). */
  values?: { name: string; comment: string } | undefined;
  nameError?: string | undefined;
}) {
  const { lang, d, params } = p;
  const sel = `dl-sel-${d.id}-${d.companyId}`;
  const display = d.display;
  return (
    <tr class={d.inRma ? 'dl-rma' : undefined}>
      <td>
        <input type="checkbox" id={sel} form="dl-batch" name="deviceIds" value={String(d.id)} />
        <label for={sel} class="visually-hidden">
          {t(lang, 'dlSelectDevice', { device: display })}
        </label>
      </td>
      <th scope="row">
        <a href={deviceHref(d.hardwareId)}>
          <code>{display}</code>
        </a>
      </th>
      {p.editing ? (
        <>
          <td class={p.nameError ? 'field-error' : undefined}>
            <label for="dl-edit-name" class="visually-hidden">
              {t(lang, 'dlNameOf', { device: display })}
            </label>
            {p.nameError ? <p class="message">{p.nameError}</p> : null}
            <input
              id="dl-edit-name"
              form="dl-edit"
              name="name"
              type="text"
              maxlength={100}
              value={p.values?.name ?? d.name ?? ''}
            />
          </td>
          <td>{d.type}</td>
          <td>{d.projectName}</td>
          <td>
            <label for="dl-edit-comment" class="visually-hidden">
              {t(lang, 'dlCommentOf', { device: display })}
            </label>
            <input
              id="dl-edit-comment"
              form="dl-edit"
              name="comment"
              type="text"
              maxlength={1000}
              value={p.values?.comment ?? d.comment}
            />
          </td>
        </>
      ) : (
        <>
          <td class="dl-name">{d.name ?? ''}</td>
          <td>{d.type}</td>
          <td>{d.projectName}</td>
          <td class="dl-comment">{d.comment}</td>
        </>
      )}
      <td class="num">{d.licenses}</td>
      <td>
        <Notes lang={lang} d={d} />
      </td>
      <td>
        {p.editing ? (
          <form id="dl-edit" method="post" action="/devices/list/edit" class="dl-inline">
            <input type="hidden" name="csrf" value={p.csrf} />
            <input type="hidden" name="deviceId" value={String(d.id)} />
            <ListHiddenFields params={params} />
            <button type="submit" class="dl-small">
              {t(lang, 'dlSave')}
            </button>{' '}
            <a href={listHref(params)}>{t(lang, 'dlCancel')}</a>
          </form>
        ) : (
          <a href={`${listHref(params, { edit: d.id })}#dl-edit-name`}>
            {t(lang, 'dlEdit')}
            <span class="visually-hidden"> {t(lang, 'dlEditOf', { device: display })}</span>
          </a>
        )}
      </td>
    </tr>
  );
}

/** The next page's link (keyset: the last row's key), and the way back to the first. */
export function Pager(p: { lang: Lang; params: DeviceListParams; page: DeviceListPage }) {
  const { lang, params, page } = p;
  if (!params.after && !page.next) return null;
  return (
    <nav class="dl-pager" aria-label={t(lang, 'dlNextPage')}>
      {params.after ? <a href={listHref({ ...params, after: undefined })}>{t(lang, 'dlFirstPage')}</a> : null}
      {page.next ? (
        <a href={listHref({ ...params, after: page.next })} rel="next">
          {t(lang, 'dlNextPage')}
        </a>
      ) : null}
    </nav>
  );
}
