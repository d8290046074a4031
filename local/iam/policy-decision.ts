/**
 * IAM on this machine: whether a function's role (its statements in the synthesized
 * template) allows one action on one resource. The DynamoDB proxy, the local queue and the
 * local KMS each ask it for every request a function makes.
 *
 * Ours rather than a policy simulator's: @cloud-copilot/iam-simulate agreed with it on every
 * decision of the stack's roles but is AGPL-3.0, 30 times slower and needs every intrinsic
 * function resolved first (docs/local-runtime.md, "Run what deploys").
 */

/** One statement of a role's policies, as IAM reads it (`NotAction` / `NotResource` included). */
export type PolicyStatement = {
  effect?: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: unknown[];
  notResources?: unknown[];
  conditions?: Record<string, Record<string, unknown>>;
};

/** The logical id (in the template) a resource written as a `{ Fn::GetAtt: [id, attribute] }` points at. */
export const getAttTarget = (value: unknown): string | undefined => {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) ? getAtt[0] : undefined;
};

/** IAM's wildcards in action names (case-insensitive) and ARNs: `*` any run, `?` one character. */
const glob = (pattern: string, value: string, flags = '') =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    flags,
  ).test(value);

/**
 * IAM's decision for `action` on one resource of the template (the table, a queue), named by
 * its logical id and its local ARN: an explicit Deny wins, then an Allow, and
 * nothing else allows (implicit deny). A statement whose resource cannot be resolved here
 * (an intrinsic function other than the table's ARN) never allows, and a Deny with one
 * applies: fail closed.
 */
export function decide(
  statements: PolicyStatement[],
  action: string,
  resourceLogicalId: string,
  resourceArn = '',
  requestContext: Readonly<Record<string, string>> = {},
): 'allow' | 'deny' | 'implicit_deny' {
  const actionIn = (patterns: string[]) => patterns.some((pattern) => typeof pattern === 'string' && glob(pattern, action, 'i'));
  // The resource's own ARN (an index's is its table's ARN and `/index/<name>`, an object's its bucket's and `/<key>`): what `Fn::GetAtt [id, Arn]` stands for here.
  const ownArn = resourceArn.startsWith('arn:aws:s3:::') ? resourceArn.split('/')[0]! : resourceArn.replace(/\/index\/[^/]+$/, '');
  const resourceIs = (resource: unknown): boolean | 'unknown' => {
    if (typeof resource === 'string') return glob(resource, resourceArn) || resource === '*';
    if (JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [resourceLogicalId, 'Arn'] })) return ownArn === resourceArn;
    const joined = joinedArn(resource, resourceLogicalId, ownArn);
    if (joined !== undefined) return glob(joined, resourceArn);
    return getAttTarget(resource) !== undefined && getAttTarget(resource) !== resourceLogicalId ? false : 'unknown';
  };
  const matches = (statement: PolicyStatement, effect: 'Allow' | 'Deny') => {
    if (!conditionsHold(statement.conditions, requestContext, effect)) return false;
    const actionMatches = statement.actions ? actionIn(statement.actions) : statement.notActions ? !actionIn(statement.notActions) : false;
    if (!actionMatches) return false;
    const unknownCounts = effect === 'Deny';
    const check = (resources: unknown[], negate: boolean) => {
      const results = resources.map(resourceIs);
      if (results.includes('unknown')) return unknownCounts;
      return negate ? !results.includes(true) : results.includes(true);
    };
    return statement.resources ? check(statement.resources, false) : statement.notResources ? check(statement.notResources, true) : false;
  };
  if (statements.some((statement) => (statement.effect ?? 'Allow') === 'Deny' && matches(statement, 'Deny'))) return 'deny';
  if (statements.some((statement) => (statement.effect ?? 'Allow') === 'Allow' && matches(statement, 'Allow'))) return 'allow';
  return 'implicit_deny';
}

/** A `Fn::Join` of strings and the resource's own `Fn::GetAtt … Arn` (as CDK writes an index's ARN), resolved; undefined for anything else. */
function joinedArn(resource: unknown, resourceLogicalId: string, ownArn: string): string | undefined {
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  const parts = join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [resourceLogicalId, 'Arn'] }) ? ownArn : undefined));
  return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
}

/** Whether the role's statements allow `action` on the resource (its `Fn::GetAtt … Arn`, or a pattern matching its ARN), given the request's condition keys. */
export function allows(statements: PolicyStatement[], action: string, resourceLogicalId: string, resourceArn = '', requestContext: Readonly<Record<string, string>> = {}): boolean {
  return decide(statements, action, resourceLogicalId, resourceArn, requestContext) === 'allow';
}

/**
 * A statement's conditions, as IAM evaluates the one operator the roles use here
 * (`StringEquals` on a key of the request, such as `kms:EncryptionContext:purpose`); any
 * other operator cannot be evaluated here: an Allow with it never applies and a Deny with it
 * always does (fail closed).
 */
function conditionsHold(conditions: PolicyStatement['conditions'], requestContext: Readonly<Record<string, string>>, effect: 'Allow' | 'Deny'): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    if (operator !== 'StringEquals') return effect === 'Deny';
    for (const [key, expected] of Object.entries(keys)) {
      const given = requestContext[key];
      if (given === undefined || ![expected].flat().includes(given)) return false;
    }
  }
  return true;
}
