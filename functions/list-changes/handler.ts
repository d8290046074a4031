import * as validators from '../../shared/contracts/generated/validators/listChanges.js';
import { routes } from '../../shared/contracts/routes.ts';
import { changeView } from '../../shared/contracts/views.ts';
import { loadChangeFeedConfig } from '../../shared/config/change-feed-config.ts';
import { changeFeedRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { CHANGE_FEED_REPOSITORY_ACCESS, changeTypesOf, readChangeFeed } from '../../shared/tracking/change-feed.ts';

const { settleSeconds } = loadChangeFeedConfig();

/** GET /changes */
export const handler = createHttpHandler(routes.listChanges, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, now, repository, admitted }) => {
    const page = await readChangeFeed(
      principal.userId,
      {
        workspaceId: query.workspace_id,
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.types === undefined ? {} : { types: changeTypesOf(query.types)! }),
        limit: query.limit ?? 100,
      },
      { repository, changes: admittedFirst(changeFeedRepository, CHANGE_FEED_REPOSITORY_ACCESS, admitted), now, settleSeconds },
    );
    return { data: page.changes.map(changeView), meta: { next_cursor: page.nextCursor, has_more: page.hasMore, settled_until: page.settledUntil } };
  },
});
