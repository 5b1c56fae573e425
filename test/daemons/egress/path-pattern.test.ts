import { describe, expect, it } from 'vitest';
import { comparablePath, pathMatches, withoutQuery } from '../../../daemons/egress/path-pattern.js';

describe('comparablePath', () => {
  it.each([
    ['/v1/items', '/v1/items'],
    ['/v1/items?page=2', '/v1/items'],
    ['/v1/items#top', '/v1/items'],
    ['/v1/%61dmin', '/v1/admin'],
    ['/v1/%61%64%6D%69%6e', '/v1/admin'],
    ['/v1/a%2Fb/../c?x=1', '/v1/a/c'],
    ['/v1/../admin', '/admin'],
    ['/v1/%2e%2e/admin', '/admin'],
    ['/v1/./admin', '/v1/admin'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../etc', '/etc'],
    ['/v1//admin', '/v1/admin'],
    ['//v1///admin', '/v1/admin'],
    ['/v1/%2Fadmin', '/v1/admin'],
    ['/v1/admin/', '/v1/admin/'],
    ['/', '/'],
    ['/caf%C3%A9', '/café'],
  ])('reads %s as %s', (path, expected) => {
    expect(comparablePath(path)).toBe(expected);
  });

  it('decodes the ASCII escapes of a path that is not UTF-8 once decoded, and keeps the rest as written', () => {
    expect(comparablePath('/v1/%61dmin%ff')).toBe('/v1/admin%ff');
    expect(comparablePath('/v1/%2e%2e/x%C3')).toBe('/x%C3');
  });
});

describe('withoutQuery', () => {
  it('cuts the path at its query or fragment, and decodes nothing', () => {
    expect(withoutQuery('/v1/items?key=a#b')).toBe('/v1/items');
    expect(withoutQuery('/v1/items#b?c')).toBe('/v1/items');
    expect(withoutQuery('/v1/%61dmin')).toBe('/v1/%61dmin');
    expect(withoutQuery('/v1/items')).toBe('/v1/items');
  });
});

describe('pathMatches', () => {
  it('matches a literal pattern against the whole path only', () => {
    expect(pathMatches('/v1/items', '/v1/items')).toBe(true);
    expect(pathMatches('/v1/items', '/v1/items/')).toBe(false);
    expect(pathMatches('/v1/items', '/v1/items/7')).toBe(false);
    expect(pathMatches('/v1/items', '/x/v1/items')).toBe(false);
  });

  it('lets * match any run of characters, slashes and none included', () => {
    expect(pathMatches('/v1/*', '/v1/')).toBe(true);
    expect(pathMatches('/v1/*', '/v1/a/b/c')).toBe(true);
    expect(pathMatches('/v1/*', '/v1')).toBe(false);
    expect(pathMatches('/v1/admin*', '/v1/admin')).toBe(true);
    expect(pathMatches('/v1/admin*', '/v1/administrators')).toBe(true);
    expect(pathMatches('/v1/*/keys', '/v1/a/b/keys')).toBe(true);
    expect(pathMatches('/v1/*/keys', '/v1/a/keys/x')).toBe(false);
    expect(pathMatches('*', '/anything/at/all')).toBe(true);
    expect(pathMatches('*.json', '/a/b.json')).toBe(true);
  });

  it('takes every other character literally, regular-expression characters included', () => {
    expect(pathMatches('/v1/a.b', '/v1/a.b')).toBe(true);
    expect(pathMatches('/v1/a.b', '/v1/aXb')).toBe(false);
    expect(pathMatches('/v1/(x)+', '/v1/(x)+')).toBe(true);
    expect(pathMatches('/v1/(x)+', '/v1/xx')).toBe(false);
    expect(pathMatches('/v1/[a]?', '/v1/[a]?')).toBe(true);
    expect(pathMatches('/v1/$^|\\', '/v1/$^|\\')).toBe(true);
  });

  it('lets * match across a line break a decoded path may hold', () => {
    expect(pathMatches('/v1/admin*', comparablePath('/v1/admin%0A/x'))).toBe(true);
    expect(pathMatches('/v1/*/x', '/v1/a\nb/x')).toBe(true);
  });
});
