import {
  AddMemberRequest,
  Company,
  GrantRightRequest,
  JoinCompanyRequest,
  JoinCompanyResponse,
  JoinProjectRequest,
  JoinProjectResponse,
  Member,
  MembersResponse,
  MyCompaniesResponse,
  NewCompanyRequest,
  NewCompanyResponse,
  NewProjectRequest,
  Project,
  ProjectParams,
  ProjectsResponse,
  RightParams,
  RightsResponse,
  SelectCompanyRequest,
  SelectProjectRequest,
  SelectionResponse,
  UpdateCompanyRequest,
  UpdateMemberRequest,
  UpdateProjectRequest,
  UserParams,
} from '../../../protocol/organisation-api.js';
import {
  createCompanyFor,
  getCompany,
  listMyCompanies,
  selectCompany,
  updateCompany,
} from '../../core/organisation/index.js';
import { joinCompany } from '../../core/organisation/index.js';
import type { Core } from '../../core/context.js';
import { addMember, listMembers, removeMember, updateMember } from '../../core/organisation/index.js';
import { grantRight, listRights, revokeRight } from '../../core/organisation/index.js';
import {
  createProject,
  deleteProject,
  getProject,
  joinProject,
  listProjects,
  selectProject,
  updateProject,
} from '../../core/organisation/index.js';
import type { ApiRouter } from './router.js';

/**
 * Companies, their users, projects and project rights (seed: Company; Company selection; Licenses →
 * Projects). `/company…` is the session's selected company, `/projects` its projects and the projects
 * granted to it. Who may do what is decided in the core (access.ts), not here.
 */
export function organisationRoutes(api: ApiRouter, core: Core) {
  // --- companies and the selection
  api.route(
    {
      method: 'get',
      path: '/companies',
      tag: 'Company',
      summary: 'The companies of the user, with admin and locked flags and the selected one',
      auth: 'user',
      company: 'none',
      response: MyCompaniesResponse,
    },
    async ({ actor }) => listMyCompanies(core, actor),
  );
  api.route(
    {
      method: 'post',
      path: '/companies',
      tag: 'Company',
      summary:
        'Create a company (with its data, or from the vendor account id and postal code); the creator is its admin; optionally select it',
      auth: 'user',
      company: 'none',
      // A token is bound to the company it was made in; creating (and selecting) another is the account's.
      scope: 'password-session',
      body: NewCompanyRequest,
      response: NewCompanyResponse,
      status: 201,
    },
    async ({ actor, body }) => {
      const { select, ...input } = body;
      return createCompanyFor(core, actor, input, { select: select ?? false });
    },
  );
  api.route(
    {
      method: 'put',
      path: '/session/company',
      tag: 'Company',
      summary:
        'Switch the session to another company of the user (refused where the user is locked); clears the project selection',
      auth: 'user',
      company: 'none',
      body: SelectCompanyRequest,
      response: SelectionResponse,
    },
    async ({ actor, body }) => selectCompany(core, actor, body.companyId),
  );
  api.route(
    {
      method: 'get',
      path: '/company',
      tag: 'Company',
      summary: 'Data and id of the selected company',
      auth: 'user',
      response: Company,
    },
    async ({ actor }) => getCompany(core, actor),
  );
  api.route(
    {
      method: 'patch',
      path: '/company',
      tag: 'Company',
      summary:
        "Change the selected company's data (admins; not for a company created from the vendor account)",
      auth: 'user',
      body: UpdateCompanyRequest,
      response: Company,
    },
    async ({ actor, body }) => updateCompany(core, actor, body),
  );
  api.route(
    {
      method: 'post',
      path: '/company/join',
      tag: 'Company',
      summary:
        'Import another company (its id and the login of one of its admins) into the selected one; the other company is deleted (admins)',
      auth: 'user',
      body: JoinCompanyRequest,
      response: JoinCompanyResponse,
    },
    async ({ actor, body }) => joinCompany(core, actor, body),
  );

  // --- users of the selected company
  api.route(
    {
      method: 'get',
      path: '/company/users',
      tag: 'Company',
      summary: 'Users of the selected company (read-only for non-admins)',
      auth: 'user',
      response: MembersResponse,
    },
    async ({ actor }) => listMembers(core, actor),
  );
  api.route(
    {
      method: 'post',
      path: '/company/users',
      tag: 'Company',
      summary: 'Add an existing account by e-mail, optionally as admin (admins)',
      auth: 'user',
      body: AddMemberRequest,
      response: Member,
      status: 201,
    },
    async ({ actor, body }) => addMember(core, actor, body.email, body.admin),
  );
  api.route(
    {
      method: 'patch',
      path: '/company/users/:userId',
      tag: 'Company',
      summary: 'Lock or unlock a user, grant or revoke company admin (admins; the last admin stays)',
      auth: 'user',
      params: UserParams,
      body: UpdateMemberRequest,
      response: Member,
    },
    async ({ actor, params, body }) => updateMember(core, actor, params.userId, body),
  );
  api.route(
    {
      method: 'delete',
      path: '/company/users/:userId',
      tag: 'Company',
      summary: 'Remove a user from the company; the account and its history stay (admins)',
      auth: 'user',
      params: UserParams,
      status: 204,
    },
    async ({ actor, params }) => {
      await removeMember(core, actor, params.userId);
      return undefined;
    },
  );

  // --- projects
  api.route(
    {
      method: 'get',
      path: '/projects',
      tag: 'Projects',
      summary: 'Projects of the selected company and projects granted to it, with the selection',
      auth: 'user',
      response: ProjectsResponse,
    },
    async ({ actor }) => listProjects(core, actor),
  );
  api.route(
    {
      method: 'post',
      path: '/projects',
      tag: 'Projects',
      summary: 'Create a project (names are unique within the company)',
      auth: 'user',
      body: NewProjectRequest,
      response: Project,
      status: 201,
    },
    async ({ actor, body }) => createProject(core, actor, body),
  );
  api.route(
    {
      method: 'put',
      path: '/session/project',
      tag: 'Projects',
      summary: 'Select a project for this session (null: none, all projects); applies to the other endpoints',
      auth: 'user',
      body: SelectProjectRequest,
      response: SelectionResponse,
    },
    async ({ actor, body }) => selectProject(core, actor, body.projectId),
  );
  api.route(
    {
      method: 'get',
      path: '/projects/:projectId',
      tag: 'Projects',
      summary: 'One project',
      auth: 'user',
      params: ProjectParams,
      response: Project,
    },
    async ({ actor, params }) => getProject(core, actor, params.projectId),
  );
  api.route(
    {
      method: 'patch',
      path: '/projects/:projectId',
      tag: 'Projects',
      summary: 'Rename or describe a project (not for users of a company with rights)',
      auth: 'user',
      params: ProjectParams,
      body: UpdateProjectRequest,
      response: Project,
    },
    async ({ actor, params, body }) => updateProject(core, actor, params.projectId, body),
  );
  api.route(
    {
      method: 'delete',
      path: '/projects/:projectId',
      tag: 'Projects',
      summary:
        'Delete a project that has no devices, rights, activation keys, balance or licenses (PROJECT_NOT_EMPTY lists the reasons)',
      auth: 'user',
      params: ProjectParams,
      status: 204,
    },
    async ({ actor, params }) => {
      await deleteProject(core, actor, params.projectId);
      return undefined;
    },
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/join',
      tag: 'Projects',
      summary:
        'Join the project into another project of the same company; its content moves and it is deleted (refused while it grants rights)',
      auth: 'user',
      params: ProjectParams,
      body: JoinProjectRequest,
      response: JoinProjectResponse,
    },
    async ({ actor, params, body }) => joinProject(core, actor, params.projectId, body.intoProjectId),
  );

  // --- project rights
  api.route(
    {
      method: 'get',
      path: '/projects/:projectId/rights',
      tag: 'Projects',
      summary: 'Companies with rights on the project',
      auth: 'user',
      params: ProjectParams,
      response: RightsResponse,
    },
    async ({ actor, params }) => listRights(core, actor, params.projectId),
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/rights',
      tag: 'Projects',
      summary: 'Grant another company (by company id) rights on the project (members of the owning company)',
      auth: 'user',
      params: ProjectParams,
      body: GrantRightRequest,
      response: RightsResponse,
      status: 201,
    },
    async ({ actor, params, body }) => grantRight(core, actor, params.projectId, body.companyId),
  );
  api.route(
    {
      method: 'delete',
      path: '/projects/:projectId/rights/:companyId',
      tag: 'Projects',
      summary: 'Revoke the rights of a company on the project (members of the owning company)',
      auth: 'user',
      params: RightParams,
      status: 204,
    },
    async ({ actor, params }) => {
      await revokeRight(core, actor, params.projectId, params.companyId);
      return undefined;
    },
  );
}
