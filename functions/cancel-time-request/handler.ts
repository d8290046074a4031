import * as validators from '../../shared/contracts/generated/validators/cancelTimeRequest.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeRequestView } from '../../shared/contracts/views.ts';
import { handlerAdapters, timeRequestRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { cancelTimeRequest, TIME_REQUEST_REPOSITORY_ACCESS } from '../../shared/tracking/time-requests.ts';

/** DELETE /time-requests/{id} */
export const handler = createHttpHandler(routes.cancelTimeRequest, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, admitted }) => {
    const request = await cancelTimeRequest(
      principal.userId,
      { workspaceId: input.workspace_id, id: input.id },
      { repository, requests: admittedFirst(timeRequestRepository, TIME_REQUEST_REPOSITORY_ACCESS, admitted), now },
    );
    return { data: timeRequestView(request) };
  },
});
