/**
 * The package's public entry point for CDK apps (`import { TimeTrackingApi } from
 * 'time-tracking-api/cdk'`): the construct, its props and what it exposes. docs/deploy.md, "Embed in
 * your CDK app".
 */
export {
  TimeTrackingApi,
  TimeTrackingApiPropsError,
  type JwtAlgorithm,
  type TimeTrackingApiAuthProps,
  type TimeTrackingApiDomainProps,
  type TimeTrackingApiProps,
  type TimeTrackingFunctions,
} from './time-tracking-api.ts';
export { DEFAULT_ALARM_THRESHOLDS, type AlarmThresholds } from './monitoring.ts';
