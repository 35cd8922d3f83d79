/** The route API Gateway falls back to when no other route matches. */
export const DEFAULT_ROUTE = '$default';

/** A compiled route selection expression: picks the route key for a message body. */
export type RouteSelector = (body: string | undefined, routeKeys: ReadonlySet<string>) => string;

const BODY_FIELD = /^\$\{?request\.body\.([A-Za-z0-9_$.-]+?)\}?$/;

/**
 * Compiles an API Gateway route selection expression of the form `$request.body.<field>` (dotted paths allowed,
 * `${request.body.<field>}` too). As on AWS: a body that is not JSON, a missing field, or a value that names no
 * route selects `$default`.
 */
export function compileRouteSelection(expression: string): RouteSelector {
  const match = BODY_FIELD.exec(expression.trim());
  if (!match?.[1]) {
    throw new Error(`Unsupported route selection expression "${expression}": use $request.body.<field>`);
  }
  const path = match[1].split('.');
  return (body, routeKeys) => {
    if (body === undefined) return DEFAULT_ROUTE;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return DEFAULT_ROUTE;
    }
    for (const key of path) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return DEFAULT_ROUTE;
      value = (value as Record<string, unknown>)[key];
    }
    const routeKey =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    return routeKey !== undefined && routeKeys.has(routeKey) && !routeKey.startsWith('$') ? routeKey : DEFAULT_ROUTE;
  };
}
