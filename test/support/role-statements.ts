/**
 * Every statement a role of a synthesized template holds, by role id: its inline policies
 * (a function's role keeps its statements in itself) and the policy resources attached to
 * it. The statements are the template's own objects: a test may edit them in place.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation JSON as the template holds it.
export function roleStatements(template: Record<string, any>): Map<string, Array<Record<string, any>>> {
  const byRole = new Map<string, Array<Record<string, any>>>();
  for (const [id, resource] of Object.entries<any>(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Role')
      byRole.set(
        id,
        (resource.Properties.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement),
      );
  }
  for (const resource of Object.values<any>(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    for (const role of resource.Properties.Roles) byRole.get(role.Ref)?.push(...resource.Properties.PolicyDocument.Statement);
  }
  return byRole;
}
