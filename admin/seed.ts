import { Ajv } from 'ajv';
import { calendarDate, MAX_ID, nullableMoneySchema } from '../shared/contracts/schemas.ts';
import { assertKnownCurrency } from '../shared/tracking/currencies.ts';
import { rateHistoryToText } from '../shared/tracking/rates.ts';
import { FIRST_CALENDAR_DATE } from '../shared/tracking/time-zones.ts';
import { userMembershipToItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import { ROLES } from '../shared/tracking/model.ts';

/**
 * The seed file (docs/local-runtime.md, "Seed file"): workspace data in snake_case JSON, every list
 * optional. Used by `npm start`, the admin CLI (against any table) and the tests. Workspace
 * data is upserted (re-running a seed applies a member's new status); API keys are only
 * ever inserted (a seed never changes, nor un-revokes, an existing key).
 */
export type Seed = {
  workspaces?: Array<{ id: number; name: string }>;
  members?: Array<{ workspace_id: number; user_id: number; role: string; status?: 'active' | 'inactive'; name?: string; email?: string }>;
  projects?: Array<{ workspace_id: number; id: number; name: string }>;
  contracts?: Array<{
    workspace_id: number;
    id: number;
    user_id: number;
    project_id: number;
    status?: 'active' | 'paused';
    /** In the currency's minor units; it prices every entry from `rate_effective_from` (default: since always). */
    hourly_rate?: { amount: number; currency: string } | null;
    billable?: boolean;
    rate_effective_from?: string;
  }>;
  tasks?: Array<{ workspace_id: number; id: number; project_id: number; title?: string }>;
  api_keys?: Array<{ user_id: number; name: string; key: string; scopes: string[]; expires_at?: string | null }>;
};

const id = { type: 'integer', minimum: 1, maximum: MAX_ID };
const text = { type: 'string', minLength: 1, maxLength: 200 };
const list = (required: string[], properties: Record<string, object>) => ({
  type: 'array',
  items: { type: 'object', required, properties, additionalProperties: false },
});

export const seedSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workspaces: list(['id', 'name'], { id, name: text }),
    members: list(['workspace_id', 'user_id', 'role'], {
      workspace_id: id,
      user_id: id,
      role: { enum: ROLES },
      status: { enum: ['active', 'inactive'] },
      name: text,
      email: text,
    }),
    projects: list(['workspace_id', 'id', 'name'], { workspace_id: id, id, name: text }),
    contracts: list(['workspace_id', 'id', 'user_id', 'project_id'], {
      workspace_id: id,
      id,
      user_id: id,
      project_id: id,
      status: { enum: ['active', 'paused'] },
      hourly_rate: nullableMoneySchema,
      billable: { type: 'boolean' },
      rate_effective_from: calendarDate,
    }),
    tasks: list(['workspace_id', 'id', 'project_id'], { workspace_id: id, id, project_id: id, title: text }),
    api_keys: list(['user_id', 'name', 'key', 'scopes'], {
      user_id: id,
      name: text,
      key: { type: 'string', pattern: '^ttk_[A-Za-z0-9_-]{43}$' },
      scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['read', 'write', 'admin', 'directory'] } },
      expires_at: { type: ['string', 'null'], format: 'date-time' },
    }),
  },
} as const;

export class SeedError extends Error {
  override name = 'SeedError';
}

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Throws SeedError naming the first bad entries and fields ("members[2].role: ..."). */
export function assertValidSeed(value: unknown): asserts value is Seed {
  // Only local tooling loads seeds, never a Lambda: compiling here costs no cold start.
  compiled ??= new Ajv({ allErrors: true, strict: false, formats: { 'date-time': isDateTime } }).compile(seedSchema);
  if (compiled(value)) {
    for (const contract of (value as Seed).contracts ?? []) {
      try {
        assertKnownCurrency(contract.hourly_rate ?? null);
      } catch {
        throw new SeedError(`Invalid seed file:\n  - contracts (id ${contract.id}).hourly_rate.currency: must be an ISO 4217 currency code`);
      }
    }
    return;
  }
  const problems = (compiled.errors ?? []).slice(0, 10).map((error) => {
    const where =
      error.instancePath
        .replace(/^\//, '')
        .replace(/\/(\d+)/g, '[$1]')
        .replaceAll('/', '.') || 'seed';
    const detail = error.keyword === 'enum' ? `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : error.message;
    const field = error.keyword === 'required' ? `.${(error.params as { missingProperty: string }).missingProperty}` : '';
    return `${where}${field}: ${error.keyword === 'required' ? 'is required' : detail}`;
  });
  throw new SeedError(`Invalid seed file:\n  - ${problems.join('\n  - ')}`);
}

function isDateTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}

/** Items of the workspace data (API keys are stored by the api-key module: they need hashing). */
export function seedToItems(seed: Seed): Record<string, unknown>[] {
  return [
    ...(seed.workspaces ?? []).map((w) => ({ ...keys.workspace(w.id), entity: 'workspace', workspace_id: w.id, name: w.name })),
    ...(seed.members ?? []).map((m) => ({
      ...keys.membership(m.workspace_id, m.user_id),
      entity: 'membership',
      workspace_id: m.workspace_id,
      user_id: m.user_id,
      role: m.role,
      status: m.status ?? 'active',
      name: m.name,
      email: m.email,
    })),
    ...(seed.members ?? []).map((m) => userMembershipToItem(m.workspace_id, m.user_id)),
    ...(seed.projects ?? []).map((p) => ({ ...keys.project(p.workspace_id, p.id), entity: 'project', workspace_id: p.workspace_id, project_id: p.id, name: p.name })),
    ...(seed.contracts ?? []).map((c) => ({
      ...keys.contract(c.workspace_id, c.id),
      entity: 'contract',
      workspace_id: c.workspace_id,
      contract_id: c.id,
      user_id: c.user_id,
      project_id: c.project_id,
      status: c.status ?? 'active',
      billable: c.billable ?? (c.hourly_rate ?? null) !== null,
      rate_history: rateHistoryToText(c.hourly_rate ? [{ from: c.rate_effective_from ?? FIRST_CALENDAR_DATE, hourlyRate: c.hourly_rate }] : []),
    })),
    ...(seed.tasks ?? []).map((t) => ({
      ...keys.task(t.workspace_id, t.id),
      entity: 'task',
      workspace_id: t.workspace_id,
      task_id: t.id,
      project_id: t.project_id,
      title: t.title,
    })),
  ];
}
