import { envReader, type Env } from './read-env.ts';

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/;
const arn = (value: string) => (ARN.test(value) ? undefined : 'must be an ARN');

/**
 * What the auto-stop schedules function needs to create a tracker's schedule (set by the
 * stack): the schedule group, the function the schedule invokes, the role EventBridge
 * Scheduler invokes it with, and the dead-letter queue of invocations that failed.
 */
export function loadAutoStopConfig(env: Env = process.env) {
  const read = envReader(env);
  const config = {
    scheduleGroup: read.required('AUTO_STOP_SCHEDULE_GROUP', (value) => (/^[0-9a-zA-Z-_.]{1,64}$/.test(value) ? undefined : 'must be a schedule group name')),
    targetArn: read.required('AUTO_STOP_TARGET_ARN', arn),
    roleArn: read.required('AUTO_STOP_ROLE_ARN', arn),
    deadLetterArn: read.required('AUTO_STOP_DEAD_LETTER_ARN', arn),
  };
  read.done();
  return config;
}

export type AutoStopConfig = ReturnType<typeof loadAutoStopConfig>;
