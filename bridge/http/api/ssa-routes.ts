import {
  SsaConfirmRequest,
  SsaConfirmResponse,
  SsaIntoPreview,
  SsaJoinPreviewRequest,
  SsaJoinRequest,
  SsaJoinResponse,
  SsaMailsRequest,
  SsaMovePreviewRequest,
  SsaPreviewQuery,
  SsaPreviewRequest,
  SsaPreviewResponse,
  SsaProjectParams,
  SsaStatus,
} from '../../../protocol/ssa-api.js';
import type { Core } from '../../core/context.js';
import { joinProject } from '../../core/organisation/index.js';
import type { SsaSummaryView } from '../../core/ssa/index.js';
import { previewMoveSsa } from '../../core/devices/index.js';
import {
  confirmProjectSsa,
  previewJoinSsa,
  previewProjectSsa,
  projectSsaStatus,
  setSsaMails,
} from '../../core/ssa/index.js';
import type { ApiRouter } from './router.js';

/** The calculator's line id is the license serial. */
const view = (s: SsaSummaryView) => ({ ...s, lines: s.lines.map((l) => ({ ...l, serial: l.id })) });

/**
 * Licenses → Projects → SSA (seed): the project's SSA summary (preview for any calculation date),
 * confirming it for today, its status and the expiry mail flag; and the SSC summaries of licenses
 * coming into an SSA project by joining a project or moving devices. Rules are the core's (ssa.ts,
 * ssa-project.ts).
 */
export function ssaRoutes(api: ApiRouter, core: Core) {
  api.route(
    {
      method: 'get',
      path: '/projects/:projectId/ssa',
      tag: 'SSA',
      summary: 'SSA end date, the expiry mail flag, and which licenses of the project are covered',
      auth: 'user',
      params: SsaProjectParams,
      response: SsaStatus,
    },
    async ({ actor, params }) => projectSsaStatus(core, actor, params.projectId),
  );
  api.route(
    {
      method: 'patch',
      path: '/projects/:projectId/ssa',
      tag: 'SSA',
      summary:
        'Turn the project\'s "Send SSA expiry mails" on or off (not for users of a company with rights)',
      auth: 'user',
      params: SsaProjectParams,
      body: SsaMailsRequest,
      response: SsaStatus,
    },
    async ({ actor, params, body }) => setSsaMails(core, actor, params.projectId, body.sendMails),
  );
  const previewSpec = {
    tag: 'SSA',
    auth: 'user',
    params: SsaProjectParams,
    response: SsaPreviewResponse,
  } as const;
  api.route(
    {
      method: 'get',
      path: '/projects/:projectId/ssa/summary',
      summary: 'The SSC summary for an SSA end date (calculationDate: a preview for another day)',
      query: SsaPreviewQuery,
      ...previewSpec,
    },
    async ({ actor, params, query }) => {
      const r = await previewProjectSsa(core, actor, params.projectId, query);
      return { ...r, summary: view(r.summary) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/ssa/preview',
      summary:
        'The SSC summary for an SSA end date, with licenses opted out (calculationDate: a preview for another day)',
      body: SsaPreviewRequest,
      ...previewSpec,
    },
    async ({ actor, params, body }) => {
      const r = await previewProjectSsa(core, actor, params.projectId, body);
      return { ...r, summary: view(r.summary) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/ssa',
      tag: 'SSA',
      summary:
        'Put the project under SSA or extend it: the summary for today is paid from the SSC balance (or on credit) and every license not opted out gets the end date',
      auth: 'user',
      params: SsaProjectParams,
      body: SsaConfirmRequest,
      response: SsaConfirmResponse,
    },
    async ({ actor, params, body }) => {
      const r = await confirmProjectSsa(core, actor, params.projectId, body);
      return { ...r, summary: view(r.summary) };
    },
  );

  // --- licenses coming into an SSA project
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/ssa/move-preview',
      tag: 'SSA',
      summary:
        'The SSC summary for moving these devices into this project (null when it is not under SSA); confirm with the move',
      auth: 'user',
      params: SsaProjectParams,
      body: SsaMovePreviewRequest,
      response: SsaIntoPreview,
    },
    async ({ actor, params, body }) => {
      const r = await previewMoveSsa(core, actor, params.projectId, body);
      return { ...r, summary: r.summary && view(r.summary) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/join/ssa-preview',
      tag: 'SSA',
      summary:
        'The SSC summary for joining this project into an SSA project (null when the target is not under SSA)',
      auth: 'user',
      params: SsaProjectParams,
      body: SsaJoinPreviewRequest,
      response: SsaIntoPreview,
    },
    async ({ actor, params, body }) => {
      const r = await previewJoinSsa(core, actor, params.projectId, body);
      return { ...r, summary: r.summary && view(r.summary) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/join/ssa',
      tag: 'SSA',
      summary:
        "Join the project into an SSA project, confirming the SSC summary: its licenses get the target's SSA end date (or the one given)",
      auth: 'user',
      params: SsaProjectParams,
      body: SsaJoinRequest,
      response: SsaJoinResponse,
    },
    async ({ actor, params, body }) =>
      joinProject(core, actor, params.projectId, body.intoProjectId, body.ssa),
  );
}
