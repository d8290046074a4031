import { trackingRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { routes } from '../../shared/http/routes.ts';
import { timeEntriesQuery } from '../../shared/schemas/generated/validators.js';
import { timeEntriesQuerySchema } from '../../shared/schemas/request-schemas.ts';
import { listTimeEntries } from '../../shared/tracking/list-time-entries.ts';
import { timeEntryView } from '../../shared/tracking/tracker-view.ts';

type Query = { workspace_id: number; user_id: number; date: string; page?: number; per_page?: number };

/** GET /time-entries */
export const handler = createHttpHandler<Query>({
  route: routes.listTimeEntries,
  input: { source: 'query', validate: timeEntriesQuery, schema: timeEntriesQuerySchema },
  run: async (query, { principal }) => {
    const page = await listTimeEntries(
      principal.userId,
      { workspaceId: query.workspace_id, userId: query.user_id, date: query.date, page: query.page ?? 1, perPage: query.per_page ?? 20 },
      { repository: trackingRepository },
    );
    return { data: page.entries.map(timeEntryView), meta: { pagination: page.pagination } };
  },
});
