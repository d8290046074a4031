import * as validators from '../../shared/contracts/generated/validators/listTimeRequests.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeRequestView } from '../../shared/contracts/views.ts';
import { handlerAdapters, timeRequestRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { listTimeRequests, TIME_REQUEST_REPOSITORY_ACCESS } from '../../shared/tracking/time-requests.ts';

/** GET /time-requests */
export const handler = createHttpHandler(routes.listTimeRequests, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, forSelf, admitted }) => {
    const requests = await listTimeRequests(
      principal.userId,
      {
        workspaceId: input.workspace_id,
        from: input.from,
        to: input.to,
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.user_id === undefined ? {} : { userId: input.user_id }),
        forSelf,
      },
      { repository, requests: admittedFirst(timeRequestRepository, TIME_REQUEST_REPOSITORY_ACCESS, admitted), now },
    );
    return { data: requests.map(timeRequestView) };
  },
});
