import * as validators from '../../shared/contracts/generated/validators/updateWorkspaceSettings.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { workspaceSettingsView } from '../../shared/contracts/views.ts';
import { updateWorkspaceSettings } from '../../shared/tracking/workspace-settings.ts';

/** PATCH /workspaces/{workspace_id}/settings */
export const handler = createHttpHandler(routes.updateWorkspaceSettings, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository }) => {
    const settings = await updateWorkspaceSettings(
      principal.userId,
      input.workspace_id,
      {
        maxTrackerDurationMinutes: input.max_tracker_duration_minutes,
        timeZone: input.time_zone,
        rounding: input.rounding,
        weekStart: input.week_start,
        timesheetPeriod: input.timesheet_period,
        lockBefore: input.lock_before,
        autoLockAfterDays: input.auto_lock_after_days,
      },
      { repository, now },
    );
    return { data: workspaceSettingsView(settings) };
  },
});
