import { randomUUID } from 'node:crypto';
import * as validators from '../../shared/contracts/generated/validators/createTimeRequest.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeRequestView } from '../../shared/contracts/views.ts';
import { handlerAdapters, timeRequestRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { createTimeRequest, TIME_REQUEST_REPOSITORY_ACCESS } from '../../shared/tracking/time-requests.ts';

/** POST /time-requests */
export const handler = createHttpHandler(routes.createTimeRequest, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, admitted }) => {
    const request = await createTimeRequest(
      principal.userId,
      {
        workspaceId: input.workspace_id,
        userId: input.user_id,
        startTime: input.start_time,
        endTime: input.end_time,
        contractId: input.contract_id ?? null,
        taskId: input.task_id ?? null,
        note: input.note ?? null,
      },
      { repository, requests: admittedFirst(timeRequestRepository, TIME_REQUEST_REPOSITORY_ACCESS, admitted), now, newId: randomUUID },
    );
    return { data: timeRequestView(request) };
  },
});
