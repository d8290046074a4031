import * as validators from '../../shared/contracts/generated/validators/declineInvitation.js';
import { routes } from '../../shared/contracts/routes.ts';
import { invitationView } from '../../shared/contracts/views.ts';
import { handlerAdapters, invitationRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { INVITATION_REPOSITORY_ACCESS, declineInvitation } from '../../shared/tracking/invitations.ts';

/** POST /invitations/{id}/decline: by the invited user, with their own credential. */
export const handler = createHttpHandler(routes.declineInvitation, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, admitted }) => {
    const invitation = await declineInvitation(principal.userId, input.id, { invitations: admittedFirst(invitationRepository, INVITATION_REPOSITORY_ACCESS, admitted), now });
    return { data: invitationView(invitation, now) };
  },
});
