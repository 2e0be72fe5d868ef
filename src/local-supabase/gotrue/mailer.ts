/**
 * GoTrue's template mailer (internal/mailer/templatemailer) with the default confirmation template
 * of the GoTrue this project's Supabase CLI (2.117.0) runs, v2.196.0: subject "Confirm your email
 * address", the link and no code (the copy changed in v2.190.0). Sent as the CLI
 * configures it: from "Admin <admin@email.com>" ([inbucket] admin_email, sender_name) to the local
 * mail catcher; the link is GOTRUE_MAILER_URLPATHS_CONFIRMATION, `{API_EXTERNAL_URL}/verify`.
 */
import type { Mailbox } from '../inbox/mailbox.js';

/** The CLI's [inbucket] admin_email and sender_name defaults. */
const SENDER = { Name: 'Admin', Address: 'admin@email.com' };
const CONFIRMATION_SUBJECT = 'Confirm your email address';

/** Go's url.QueryEscape: only [A-Za-z0-9-_.~] stay, a space becomes '+'. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, each pair query-escaped. */
export function goEncodeValues(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((key) => `${goQueryEscape(key)}=${goQueryEscape(values[key]!)}`)
    .join('&');
}

/** encodeRedirectURL: a redirect URL with '&', '=' or '#' was not encoded by the caller, so it is escaped; any other is taken as is. */
const encodeRedirectUrl = (url: string) => (/[&=#]/.test(url) ? goQueryEscape(url) : url);

/** html/template's escaping of a value inside an attribute. */
const escapeAttribute = (text: string) =>
  text.replace(/[&'"<>+]/g, (char) => ({ '&': '&amp;', "'": '&#39;', '"': '&#34;', '<': '&lt;', '>': '&gt;', '+': '&#43;' })[char]!);

export interface ConfirmationMail {
  email: string;
  /** The template's {{ .Token }}, which the default template does not show. */
  otp: string;
  tokenHash: string;
  /** The referrer: an allowed redirect_to, else the site URL. */
  redirectTo: string;
  /** API_EXTERNAL_URL: GoTrue's own public URL, `…/auth/v1`. */
  externalUrl: string;
}

/** The link in a confirmation mail: `{API_EXTERNAL_URL}/verify?token=…&type=signup&redirect_to=…` (getPath). */
export const confirmationUrl = (mail: ConfirmationMail) =>
  `${mail.externalUrl.replace(/\/+$/, '')}/verify?token=${goQueryEscape(mail.tokenHash)}&type=signup&redirect_to=${encodeRedirectUrl(mail.redirectTo)}`;

/** ConfirmationMail: the default template, delivered to the local inbox. */
export function sendConfirmationMail(mailbox: Mailbox, mail: ConfirmationMail): void {
  const html = `<h2>Confirm your email address</h2>

<p>Follow the link below to confirm this email address and finish signing up.</p>
<p><a href="${escapeAttribute(confirmationUrl(mail))}">Confirm email address</a></p>
`;
  mailbox.deliver({ from: SENDER, to: [{ Name: '', Address: mail.email }], subject: CONFIRMATION_SUBJECT, html });
}
