import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../../../daemons/egress/allowlist.js';
import { ruleRefusal } from '../../../daemons/egress/request-rules.js';

const HOST = 'api.example.com';
const rule = (extra: Partial<AllowRule>): AllowRule => ({ host: HOST, port: 443, inspect: true, ...extra });

describe('ruleRefusal', () => {
  it('lets anything through a rule with neither methods nor paths', () => {
    expect(ruleRefusal([rule({})], 'PROPFIND', '/anything/../at/all?x')).toBeUndefined();
  });

  it('refuses a method not listed, naming the rule field and the methods allowed', () => {
    const rules = [rule({ methods: ['GET', 'HEAD'] })];
    expect(ruleRefusal(rules, 'GET', '/')).toBeUndefined();
    expect(ruleRefusal(rules, 'head', '/')).toBeUndefined();
    expect(ruleRefusal(rules, 'DELETE', '/')).toEqual({ rule: 'methods', reason: `DELETE is not one of the methods GET, HEAD allowed for ${HOST}` });
  });

  it('refuses a path outside paths.allow and one inside paths.deny, deny first', () => {
    const rules = [rule({ paths: { allow: ['/v1/*'], deny: ['/v1/admin*'] } })];
    expect(ruleRefusal(rules, 'GET', '/v1/items')).toBeUndefined();
    expect(ruleRefusal(rules, 'GET', '/v2/items')).toEqual({ rule: 'paths.allow', reason: `the path matches none of paths.allow (/v1/*) for ${HOST}` });
    expect(ruleRefusal(rules, 'GET', '/v1/admin/users')).toEqual({ rule: 'paths.deny', reason: `the path matches "/v1/admin*" in paths.deny for ${HOST}` });
  });

  it('checks the method before the path', () => {
    const rules = [rule({ methods: ['GET'], paths: { deny: ['/v1/admin*'] } })];
    expect(ruleRefusal(rules, 'POST', '/v1/admin')?.rule).toBe('methods');
  });

  it('judges the path as an upstream reads it: decoded, dot segments resolved, query left out', () => {
    const rules = [rule({ paths: { allow: ['/v1/*'], deny: ['/v1/admin*'] } })];
    expect(ruleRefusal(rules, 'GET', '/v1/%61dmin')?.rule).toBe('paths.deny');
    expect(ruleRefusal(rules, 'GET', '/v1/x/../admin')?.rule).toBe('paths.deny');
    expect(ruleRefusal(rules, 'GET', '/v1//admin')?.rule).toBe('paths.deny');
    expect(ruleRefusal(rules, 'GET', '/v1/../admin')?.rule).toBe('paths.allow');
    expect(ruleRefusal(rules, 'GET', '/v1/items?next=/v1/admin')).toBeUndefined();
    expect(ruleRefusal(rules, 'GET', '/v2/x?/v1/y')?.rule).toBe('paths.allow');
  });

  it('lets a request through when any one rule does, and otherwise gives the first rule\'s refusal', () => {
    const rules = [rule({ methods: ['GET'], paths: { allow: ['/v1/*'] } }), rule({ methods: ['POST'], paths: { allow: ['/v1/upload'] } })];
    expect(ruleRefusal(rules, 'GET', '/v1/items')).toBeUndefined();
    expect(ruleRefusal(rules, 'POST', '/v1/upload')).toBeUndefined();
    expect(ruleRefusal(rules, 'POST', '/v1/items')?.rule).toBe('methods');
    expect(ruleRefusal(rules, 'GET', '/v2')?.rule).toBe('paths.allow');
  });

  it('never quotes the path in its reason', () => {
    const rules = [rule({ paths: { allow: ['/v1/*'], deny: ['/v1/secret*'] } })];
    for (const path of ['/v2/token-abcdef123456', '/v1/secret/token-abcdef123456']) {
      expect(ruleRefusal(rules, 'GET', path)?.reason).not.toContain('token-abcdef123456');
    }
  });

  it('has nothing to refuse when no rule applies', () => {
    expect(ruleRefusal([], 'DELETE', '/x')).toBeUndefined();
  });
});
