/** GoTrue's redirect check (internal/utilities/request.go IsRedirectURLValid) and gobwas/glob with '.' and '/' as separators. */
import { describe, expect, it } from 'vitest';
import { globToRegExp, isRedirectUrlValid } from '../../src/local-supabase/gotrue/redirect-url.js';
import { DEFAULT_AUTH_SETTINGS } from '../../src/local-supabase/gotrue/settings.js';

const settings = { ...DEFAULT_AUTH_SETTINGS, siteUrl: 'https://site.example.com', uriAllowList: ['https://app.example.com/**', 'https://*.example.org/done', 'myapp://{login,logout}'] };

describe('isRedirectUrlValid', () => {
  it.each([
    ['https://site.example.com/any/path', true], // the site's scheme, host and port
    ['http://site.example.com/', false], // another scheme
    ['https://site.example.com:8443/', false], // another port
    ['http://127.0.0.1:1234/cb', true], // any loopback address
    ['http://[::1]:1234/cb', true],
    ['http://10.0.0.1/', false], // an IP that is not loopback
    ['http://2130706433/', false], // a decimal IP
    ['https://app.example.com/a/b?x=1', true], // `**` crosses separators
    ['https://eu.example.org/done', true], // `*` within one label
    ['https://a.b.example.org/done', false], // `*` stops at '.'
    ['https://eu.example.org/done#fragment', true], // matched without the fragment
    ['myapp://login', true], // `{a,b}`
    ['myapp://signup', false],
    ['https://evil.example.com/', false],
    ['', false],
    ['not a url', false],
  ])('%s → %s', (url, valid) => {
    expect(isRedirectUrlValid(settings, url)).toBe(valid);
  });
});

describe('globToRegExp', () => {
  it('follows gobwas/glob: `?` and `[…]` match one character, not a separator for `?`; `\\` escapes', () => {
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a?c').test('a.c')).toBe(false);
    expect(globToRegExp('[ab]x').test('bx')).toBe(true);
    expect(globToRegExp('[!ab]x').test('cx')).toBe(true);
    expect(globToRegExp('[!ab]x').test('ax')).toBe(false);
    expect(globToRegExp('a\\*').test('a*')).toBe(true);
    expect(globToRegExp('a\\*').test('ab')).toBe(false);
  });
});
