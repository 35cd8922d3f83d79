import { describe, expect, it } from 'vitest';
import { compileRouteSelection, DEFAULT_ROUTE } from './route-selection';

const routes = new Set(['join', 'leave', '$default', '42']);

describe('when selecting a route by $request.body.<field>', () => {
  const select = compileRouteSelection('$request.body.action');

  it('should pick the route named by the field', () => {
    expect(select('{"action":"join"}', routes)).toBe('join');
    expect(select('{"action":42}', routes)).toBe('42');
  });

  it('should fall back to $default for non-JSON, missing fields, unknown routes and reserved keys', () => {
    for (const body of [
      undefined,
      'not json',
      '[1,2]',
      '{"other":"join"}',
      '{"action":"dance"}',
      '{"action":"$default"}',
    ]) {
      expect(select(body, routes)).toBe(DEFAULT_ROUTE);
    }
  });

  it('should follow dotted paths and accept the braced form', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: AWS's own ${…} syntax, not a template
    expect(compileRouteSelection('${request.body.meta.kind}')('{"meta":{"kind":"leave"}}', routes)).toBe('leave');
    expect(compileRouteSelection('$request.body.meta.kind')('{"meta":"leave"}', routes)).toBe(DEFAULT_ROUTE);
  });

  it('should reject expressions it cannot evaluate', () => {
    expect(() => compileRouteSelection('$request.header.x')).toThrow(/Unsupported route selection expression/);
  });
});
