import { principalFromAuthorizerContext } from '../auth/principal.ts';
import { grants, requiredScopes, type ScopeRequirement } from '../auth/scopes.ts';
import { InsufficientScopeError } from '../errors.ts';
import type { Clock } from './clock.ts';
import type { HttpRequest } from './types.ts';

/**
 * Checks 1 and 2 of the contract: a valid, unexpired principal from the authorizer (401),
 * holding the route's scope (403). Part of every handler, so no route can forget it.
 */
export function requirePrincipal(opts: { scope: ScopeRequirement; clock: Clock }) {
  const requirePrincipalBefore = (request: HttpRequest) => {
    const principal = principalFromAuthorizerContext(request.event.requestContext?.authorizer?.lambda, opts.clock.now());
    if (!grants(principal.scopes, opts.scope)) throw new InsufficientScopeError(requiredScopes(opts.scope).join('" or "'));
    request.context.principal = principal;
  };
  return { before: requirePrincipalBefore };
}
