/**
 * Where GoTrue lets a link lead (internal/utilities/request.go GetReferrer, IsRedirectURLValid):
 * the site URL's own origin, any loopback address, or a URL matching one of the allow-list's glob
 * patterns (gobwas/glob compiled with '.' and '/' as separators, internal/conf/configuration.go);
 * anything else falls back to the site URL.
 */
import { isIP } from 'node:net';
import type { Request } from 'express';
import type { AuthSettings } from './settings.js';

const LOCALHOST = ['localhost', '127.0.0.1', '::1'];
const DECIMAL_IP = /^[0-9]+$/;
const REGULAR_HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;
const NOT_SEPARATOR = '[^./]';

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** gobwas/glob with separators '.' and '/': `*` stops at a separator, `**` does not, `?`, `[…]`, `[!…]`, `{a,b}`, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  let index = 0;
  const parse = (inAlternative: boolean): string => {
    let out = '';
    while (index < pattern.length) {
      const char = pattern[index]!;
      if (inAlternative && (char === ',' || char === '}')) return out;
      index += 1;
      if (char === '\\' && index < pattern.length) out += escapeRegExp(pattern[index++]!);
      else if (char === '*') {
        if (pattern[index] === '*') {
          while (pattern[index] === '*') index += 1;
          out += '[\\s\\S]*';
        } else out += `${NOT_SEPARATOR}*`;
      } else if (char === '?') out += NOT_SEPARATOR;
      else if (char === '[') {
        const end = pattern.indexOf(']', index);
        if (end < 0) out += '\\[';
        else {
          let body = pattern.slice(index, end);
          const negated = body.startsWith('!');
          if (negated) body = body.slice(1);
          out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
          index = end + 1;
        }
      } else if (char === '{') {
        const options: string[] = [];
        for (;;) {
          options.push(parse(true));
          const stop = pattern[index];
          index += 1;
          if (stop !== ',') break;
        }
        out += `(?:${options.join('|')})`;
      } else out += escapeRegExp(char);
    }
    return out;
  };
  return new RegExp(`^${parse(false)}$`);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Go's url.Hostname(): the host as written (WHATWG URL would normalize `2130706433` to
 * `127.0.0.1`), without the brackets of an IPv6 literal.
 */
function hostname(text: string): string {
  const raw = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(text)?.[1] ?? '';
  return raw.replace(/^\[(.*)\]$/, '$1');
}

const isLoopbackIp = (host: string) => (isIP(host) === 4 ? host.startsWith('127.') : host === '::1' || host === '0:0:0:0:0:0:0:1');

export function isRedirectUrlValid(settings: AuthSettings, redirectUrl: string): boolean {
  if (redirectUrl === '') return false;
  const base = parseUrl(settings.siteUrl);
  const target = parseUrl(redirectUrl);
  if (!base || !target) return false;
  const host = hostname(redirectUrl);
  if (hostname(settings.siteUrl) === host && base.protocol === target.protocol && (base.port === target.port || LOCALHOST.includes(host.toLowerCase()))) {
    return true;
  }
  const isHttp = target.protocol === 'http:' || target.protocol === 'https:';
  if (DECIMAL_IP.test(host)) return false;
  if (isIP(host)) return isLoopbackIp(host);
  if (isHttp && !REGULAR_HOSTNAME.test(host)) return false;
  const withoutFragment = redirectUrl.split('#')[0]!;
  return settings.uriAllowList.some((pattern) => globToRegExp(pattern).test(withoutFragment));
}

/** GetReferrer: a `redirect_to` header or query parameter, else the Referer, if allowed; else the site URL. */
export function referrer(req: Request, settings: AuthSettings): string {
  const asked = req.get('redirect_to') || new URL(req.originalUrl, 'http://local').searchParams.get('redirect_to') || '';
  if (isRedirectUrlValid(settings, asked)) return asked;
  const referer = req.get('referer') ?? '';
  if (isRedirectUrlValid(settings, referer)) return referer;
  return settings.siteUrl;
}
