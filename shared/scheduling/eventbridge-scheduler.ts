import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { AutoStopConfig } from '../config/auto-stop-config.ts';
import { autoStopInputOf, type AutoStopSchedules } from './auto-stop-schedules.ts';

/** How long EventBridge Scheduler keeps retrying an invocation it could not make, then dead-letters it. */
export const AUTO_STOP_MAX_EVENT_AGE_SECONDS = 24 * 60 * 60;
export const AUTO_STOP_RETRY_ATTEMPTS = 20;

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC: a one-time schedule. */
export const atExpression = (at: Date) => `at(${at.toISOString().slice(0, 19)})`;

/**
 * The schedules as EventBridge Scheduler keeps them: one-time, in the stack's group, deleted
 * by the service once fired (ActionAfterCompletion DELETE), no flexible window, invocations
 * that fail retried and then sent to the dead-letter queue. The schedule's name is its
 * idempotency: creating one that exists, or deleting one that is gone, is no error.
 */
export function createEventBridgeSchedules(config: AutoStopConfig, client = new SchedulerClient({})): AutoStopSchedules {
  return {
    async create({ name, at, input }) {
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: name,
            GroupName: config.scheduleGroup,
            ScheduleExpression: atExpression(at),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: config.targetArn,
              RoleArn: config.roleArn,
              Input: JSON.stringify(autoStopInputOf(input)),
              RetryPolicy: { MaximumEventAgeInSeconds: AUTO_STOP_MAX_EVENT_AGE_SECONDS, MaximumRetryAttempts: AUTO_STOP_RETRY_ATTEMPTS },
              DeadLetterConfig: { Arn: config.deadLetterArn },
            },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
      }
    },
    async delete(name) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: config.scheduleGroup }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}
