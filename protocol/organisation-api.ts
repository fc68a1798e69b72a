import * as z from 'zod';
import { IdText } from './ids.js';

/**
 * Portal API (/api/v1) of the organisation area: companies, their users, projects and project rights
 * (seed: Company → Users, Join, Company, New Company; Company selection; Licenses → Projects).
 */
const text = (max: number) => z.string().max(max);
const Id = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

/** A numeric id in a path; anything else answers like an unknown resource. */
/** Path ids: the one strict form (protocol/ids.ts). */
export const IdParam = IdText;

// ---------------------------------------------------------------------------------------------
// companies

const Address = {
  street: text(200).optional(),
  postalCode: text(20).optional(),
  city: text(200).optional(),
  country: text(200).optional(),
};

export const NewCompanyRequest = z.union([
  z.strictObject({ name: z.string().min(1).max(200), ...Address, select: z.boolean().optional() }),
  z.strictObject({
    vendorAccountId: z.string().min(1).max(50).describe("The vendor's customer number"),
    postalCode: z.string().min(1).max(20),
    select: z.boolean().optional(),
  }),
]);
export const NewCompanyResponse = z.object({
  companyId: z.number(),
  defaultProjectId: z.number(),
  selected: z.boolean(),
});

export const Company = z.object({
  id: z.number(),
  name: z.string(),
  street: z.string(),
  postalCode: z.string(),
  city: z.string(),
  country: z.string(),
  vendorAccountId: z
    .string()
    .nullable()
    .describe('Set when the data comes from the vendor records; then it is not editable'),
  admin: z.boolean(),
  editable: z.boolean(),
});

export const UpdateCompanyRequest = z
  .strictObject({ name: z.string().min(1).max(200).optional(), ...Address })
  .refine((o) => Object.keys(o).length > 0, { message: 'Give at least one field to change.' });

export const MyCompaniesResponse = z.object({
  selectedCompanyId: z.number().nullable(),
  companies: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      admin: z.boolean(),
      locked: z.boolean(),
      selected: z.boolean(),
    }),
  ),
});

export const SelectCompanyRequest = z.strictObject({ companyId: Id });
export const SelectionResponse = z.object({ companyId: z.number(), projectId: z.number().nullable() });

export const JoinCompanyRequest = z.strictObject({
  companyId: Id.describe('The id of the company to import'),
  email: z.email().max(254).describe('Login of an admin of that company'),
  password: z.string().min(1).max(1024),
});

const Moved = z.object({ table: z.string(), column: z.string(), rows: z.number() });

export const JoinCompanyResponse = z.object({
  companyId: z.number(),
  joinedCompanyId: z.number(),
  joinedCompanyName: z.string(),
  projects: z.array(z.object({ id: z.number(), name: z.string() })),
  renamed: z.array(z.object({ projectId: z.number(), from: z.string(), to: z.string() })),
  users: z.object({ added: z.array(z.number()), merged: z.array(z.number()) }),
  devicePlacements: z.object({
    moved: z.number(),
    keptHere: z.array(
      z.object({
        deviceId: z.number(),
        hardwareId: z.string(),
        keptProjectId: z.number(),
        droppedProjectId: z.number(),
      }),
    ),
  }),
  rights: z.object({ passed: z.number(), dropped: z.number() }),
  historyEvents: z.number(),
  moved: z.array(Moved),
});

// ---------------------------------------------------------------------------------------------
// users of a company

export const Member = z.object({
  userId: z.number(),
  email: z.string(),
  name: z.string(),
  admin: z.boolean(),
  locked: z.boolean(),
  since: z.string(),
});
export const MembersResponse = z.object({
  companyId: z.number(),
  editable: z.boolean(),
  users: z.array(Member),
});
export const AddMemberRequest = z.strictObject({
  email: z.email().max(254),
  admin: z.boolean().default(false),
});
export const UpdateMemberRequest = z
  .strictObject({ admin: z.boolean().optional(), locked: z.boolean().optional() })
  .refine((o) => o.admin !== undefined || o.locked !== undefined, { message: 'Give admin and/or locked.' });
export const UserParams = z.object({ userId: IdParam });

// ---------------------------------------------------------------------------------------------
// projects

export const Project = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  ssaEnd: z.string().nullable(),
  companyId: z.number(),
  companyName: z.string(),
  external: z.boolean().describe('Reached through rights granted to the selected company'),
  selected: z.boolean(),
});
export const ProjectsResponse = z.object({
  selectedProjectId: z.number().nullable(),
  projects: z.array(Project),
});
export const NewProjectRequest = z.strictObject({
  name: z.string().min(1).max(100),
  description: text(2000).optional(),
});
export const UpdateProjectRequest = z
  .strictObject({ name: z.string().min(1).max(100).optional(), description: text(2000).optional() })
  .refine((o) => o.name !== undefined || o.description !== undefined, {
    message: 'Give name and/or description.',
  });
export const ProjectParams = z.object({ projectId: IdParam });
export const SelectProjectRequest = z.strictObject({
  projectId: Id.nullable().describe('null: no project selected, all projects'),
});

export const RightsResponse = z.object({
  projectId: z.number(),
  rights: z.array(z.object({ companyId: z.number(), companyName: z.string(), grantedAt: z.string() })),
});
export const GrantRightRequest = z.strictObject({ companyId: Id });
export const RightParams = z.object({ projectId: IdParam, companyId: IdParam });

export const JoinProjectRequest = z.strictObject({ intoProjectId: Id });
export const JoinProjectResponse = z.object({
  projectId: z.number(),
  intoProjectId: z.number(),
  devices: z.number(),
  licenses: z.object({ bound: z.number(), free: z.number() }),
  balance: z.array(z.object({ type: z.string(), units: z.number() })),
  ledgerEntries: z.number(),
  invalidations: z.number(),
  moved: z.array(Moved),
});
