import * as validators from '../../shared/contracts/generated/validators/deleteMember.js';
import { routes } from '../../shared/contracts/routes.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { preconditionOf } from '../../shared/http/precondition.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { DIRECTORY_REPOSITORY_ACCESS, removeMember } from '../../shared/tracking/directory.ts';

/** DELETE /workspaces/{workspace_id}/members/{user_id} */
export const handler = createHttpHandler(routes.deleteMember, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, headers, admitted }) => {
    await removeMember(
      { userId: principal.userId, scopes: principal.scopes },
      { workspaceId: input.workspace_id, userId: input.user_id, ...preconditionOf(headers['if-match']) },
      { repository: admittedFirst(directoryRepository, DIRECTORY_REPOSITORY_ACCESS, admitted), now },
    );
    return { data: { workspace_id: input.workspace_id, user_id: input.user_id, deleted: true as const } };
  },
});
