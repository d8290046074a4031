import { getAttTarget, type PolicyStatement } from '../iam/policy-decision.ts';
import type { EventSourceMapping } from '../lambda/event-source-mappings.ts';
import type { QueueSettings } from '../sqs/local-queue.ts';
/**
 * Reads what `sam local start-api` reads from a synthesized CloudFormation template: the
 * HTTP API's routes and integrations, its Lambda authorizer, and each function's bundle,
 * handler, environment, timeout and role policies. Anything it cannot resolve is an error
 * naming the resource, not a guess.
 */
type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> };
export type Template = { Resources: Record<string, Resource> };

export type TemplateFunction = {
  logicalId: string;
  /** Absolute folder of the bundle (the asset). */
  assetDir: string;
  /** e.g. "index.handler": file `index.*`, export `handler`. */
  handler: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  /** LoggingConfig.LogFormat (Text when the template says nothing) and ApplicationLogLevel. */
  logFormat: 'JSON' | 'Text';
  applicationLogLevel: string | undefined;
  /** ReservedConcurrentExecutions: the most invocations at once, when the template caps them. */
  reservedConcurrency: number | undefined;
  /** Environment variables as written in the template (values may be intrinsic functions). */
  environment: Record<string, unknown>;
  /** The statements (Allow and Deny) of the policies attached to the function's role. */
  statements: PolicyStatement[];
};

export type TemplateApi = {
  routes: Array<{ method: string; path: string; functionLogicalId: string; public: boolean }>;
  authorizer: { functionLogicalId: string; identitySource: string[]; resultTtlSeconds: number; simpleResponses: boolean; payloadFormatVersion: string };
  functions: Map<string, TemplateFunction>;
  /** The logical id of the one DynamoDB table. */
  tableLogicalId: string;
  queues: Map<string, QueueSettings>;
  eventSources: EventSourceMapping[];
};

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const refTarget = (value: unknown): string | undefined => (value as { Ref?: string } | undefined)?.Ref;

/** The first Fn::GetAtt found anywhere inside `value` (authorizer URIs wrap it in Fn::Join). */
function findGetAtt(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const direct = getAttTarget(value);
  if (direct) return direct;
  for (const inner of Object.values(value)) {
    const found = findGetAtt(inner);
    if (found) return found;
  }
  return undefined;
}

export function readTemplateApi(template: Template, cdkOutDir: string): TemplateApi {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);

  const tables = ofType('AWS::DynamoDB::GlobalTable').concat(ofType('AWS::DynamoDB::Table'));
  if (tables.length !== 1) throw new TemplateError(`expected one DynamoDB table, found ${tables.length}`);
  const tableLogicalId = tables[0]![0];

  const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').map(([id, resource]) => [id, resource.Properties!]));
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([id, resource]) => {
    const [method, path] = String(resource.Properties!.RouteKey).split(' ');
    const target = JSON.stringify(resource.Properties!.Target ?? '');
    const integrationId = [...integrations.keys()].find((candidate) => target.includes(`"${candidate}"`));
    const integration = integrationId ? integrations.get(integrationId) : undefined;
    if (integration?.IntegrationType !== 'AWS_PROXY' || integration.PayloadFormatVersion !== '2.0') {
      throw new TemplateError(`route ${id} (${resource.Properties!.RouteKey}) has no Lambda proxy integration with payload 2.0`);
    }
    const functionLogicalId = getAttTarget(integration.IntegrationUri);
    if (!functionLogicalId) throw new TemplateError(`integration ${integrationId} does not point at a function of the template`);
    return { method: method!, path: path!, functionLogicalId, public: resource.Properties!.AuthorizationType === 'NONE' };
  });

  const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
  if (authorizers.length !== 1) throw new TemplateError(`expected one authorizer, found ${authorizers.length}`);
  const [authorizerId, authorizerResource] = authorizers[0]!;
  const authorizerProperties = authorizerResource.Properties!;
  const authorizerFunction = findGetAtt(authorizerProperties.AuthorizerUri);
  if (!authorizerFunction) throw new TemplateError(`authorizer ${authorizerId} does not point at a function of the template`);
  const authorizer = {
    functionLogicalId: authorizerFunction,
    identitySource: authorizerProperties.IdentitySource as string[],
    resultTtlSeconds: Number(authorizerProperties.AuthorizerResultTtlInSeconds ?? 300),
    simpleResponses: authorizerProperties.EnableSimpleResponses === true,
    payloadFormatVersion: String(authorizerProperties.AuthorizerPayloadFormatVersion),
  };

  const queues = new Map<string, QueueSettings>(
    ofType('AWS::SQS::Queue').map(([logicalId, resource]) => [
      logicalId,
      {
        logicalId,
        visibilityTimeoutSeconds: Number(resource.Properties?.VisibilityTimeout ?? 30),
        maxReceiveCount: resource.Properties?.RedrivePolicy ? Number(resource.Properties.RedrivePolicy.maxReceiveCount) : undefined,
      },
    ]),
  );
  const eventSources = ofType('AWS::Lambda::EventSourceMapping').map(([id, resource]): EventSourceMapping => {
    const properties = resource.Properties!;
    const functionLogicalId = refTarget(properties.FunctionName);
    if (!functionLogicalId) throw new TemplateError(`event source mapping ${id} does not name a function of the template`);
    const arn = properties.EventSourceArn as { 'Fn::GetAtt'?: [string, string] };
    const [target, attribute] = arn?.['Fn::GetAtt'] ?? [];
    const source =
      target === tableLogicalId && attribute === 'StreamArn' ? ({ kind: 'stream' } as const) : target && queues.has(target) ? ({ kind: 'queue', queueLogicalId: target } as const) : undefined;
    if (!source) throw new TemplateError(`event source mapping ${id} reads neither the table's stream nor a queue of the template`);
    return {
      functionLogicalId,
      source,
      batchSize: Number(properties.BatchSize ?? (source.kind === 'queue' ? 10 : 100)),
      filterPatterns: ((properties.FilterCriteria?.Filters ?? []) as Array<{ Pattern: string }>).map((filter) => JSON.parse(filter.Pattern)),
      reportBatchItemFailures: ((properties.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
      maximumConcurrency: properties.ScalingConfig?.MaximumConcurrency === undefined ? undefined : Number(properties.ScalingConfig.MaximumConcurrency),
      retryAttempts: properties.MaximumRetryAttempts === undefined ? undefined : Number(properties.MaximumRetryAttempts),
    };
  });

  const policies = ofType('AWS::IAM::Policy');
  const functions = new Map<string, TemplateFunction>();
  const invoked = [authorizerFunction, ...routes.map((route) => route.functionLogicalId), ...eventSources.map((source) => source.functionLogicalId)];
  // A function whose ARN another one is given (the auto-stop function, which that one's schedules invoke).
  const named = invoked.flatMap((id) =>
    Object.values(template.Resources[id]?.Properties?.Environment?.Variables ?? {}).flatMap((value) => {
      const target = getAttTarget(value);
      return target && template.Resources[target]?.Type === 'AWS::Lambda::Function' ? [target] : [];
    }),
  );
  for (const logicalId of new Set([...invoked, ...named])) {
    const resource = template.Resources[logicalId];
    if (resource?.Type !== 'AWS::Lambda::Function') throw new TemplateError(`${logicalId} is not an AWS::Lambda::Function`);
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new TemplateError(`${logicalId} has no aws:asset:path metadata (synthesize with the CDK CLI)`);
    const roleId = getAttTarget(resource.Properties!.Role);
    // The role's own inline policies, and the policy resources attached to it.
    const inline = ((roleId ? template.Resources[roleId]?.Properties?.Policies : undefined) ?? []) as Array<{ PolicyDocument: { Statement: RawStatement[] } }>;
    const statements = [
      ...inline.flatMap((policy) => policy.PolicyDocument.Statement),
      ...policies
        .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((role) => refTarget(role) === roleId))
        .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement as RawStatement[]),
    ].map(readStatement);
    functions.set(logicalId, {
      logicalId,
      assetDir: assetPath.startsWith('/') ? assetPath : `${cdkOutDir}/${assetPath}`,
      handler: String(resource.Properties!.Handler),
      timeoutSeconds: Number(resource.Properties!.Timeout ?? 3),
      memorySizeMb: Number(resource.Properties!.MemorySize ?? 128),
      logFormat: resource.Properties!.LoggingConfig?.LogFormat === 'JSON' ? 'JSON' : 'Text',
      applicationLogLevel: resource.Properties!.LoggingConfig?.ApplicationLogLevel,
      reservedConcurrency: resource.Properties!.ReservedConcurrentExecutions === undefined ? undefined : Number(resource.Properties!.ReservedConcurrentExecutions),
      environment: resource.Properties!.Environment?.Variables ?? {},
      statements,
    });
  }
  return { routes, authorizer, functions, tableLogicalId, queues, eventSources };
}

type RawStatement = { Effect?: string; Action?: string | string[]; NotAction?: string | string[]; Resource?: unknown; NotResource?: unknown; Condition?: Record<string, Record<string, unknown>> };
const list = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : ([value].flat() as T[]));

function readStatement(statement: RawStatement): PolicyStatement {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw new TemplateError(`a policy statement has Effect ${JSON.stringify(statement.Effect)}`);
  return {
    effect: statement.Effect,
    actions: list(statement.Action),
    notActions: list(statement.NotAction),
    resources: list(statement.Resource),
    notResources: list(statement.NotResource),
    ...(statement.Condition ? { conditions: statement.Condition } : {}),
  };
}

/**
 * Resolves a function's environment locally: `{ Ref: <resource> }` becomes what `refs`
 * gives for it (the local table's name, a local queue's URL), `{ Fn::GetAtt: [<resource>,
 * Arn] }` what it gives for `<resource>.Arn` (see localArnOf); anything else is an error.
 */
export function resolveEnvironmentWithArns(fn: TemplateFunction, refs: Readonly<Record<string, string>>, template: Template, region: string): Record<string, string> {
  const withArns: Record<string, string> = { ...refs };
  for (const value of Object.values(fn.environment)) {
    const target = getAttTarget(value);
    const arn = target ? localArnOf(template, target, region) : undefined;
    if (target && arn) withArns[`${target}.Arn`] = arn;
  }
  return resolveEnvironment(fn, withArns);
}

/** The ARN a resource of the template has on this machine (account 000000000000): functions, roles, queues and keys. */
export function localArnOf(template: Template, logicalId: string, region: string): string | undefined {
  switch (template.Resources[logicalId]?.Type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${region}:000000000000:function:${logicalId}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::000000000000:role/${logicalId}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${region}:000000000000:${logicalId}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${region}:000000000000:key/${logicalId}`;
  }
  return undefined;
}
export function resolveEnvironment(fn: TemplateFunction, refs: Readonly<Record<string, string>>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    const target = refTarget(value);
    const getAtt = getAttTarget(value);
    if (typeof value === 'string') resolved[name] = value;
    else if (target !== undefined && Object.hasOwn(refs, target)) resolved[name] = refs[target]!;
    else if (getAtt !== undefined && Object.hasOwn(refs, `${getAtt}.Arn`)) resolved[name] = refs[`${getAtt}.Arn`]!;
    else throw new TemplateError(`${fn.logicalId}: cannot resolve environment variable ${name} (${JSON.stringify(value)}) locally`);
  }
  return resolved;
}
