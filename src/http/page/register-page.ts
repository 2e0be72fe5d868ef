/**
 * The registration page's script (runs in the browser, served as /assets/register-page.js): posts
 * the form through the typed client, one key per submission — kept for a resubmission of the same
 * details after a failure that may have registered, so a retry never makes a second institution —
 * with the button disabled while in flight and each field's error shown beside it.
 */
import { RegistrationError, registerInstitution } from '../../client/ims-client.js';

const FIELDS = ['name', 'subdomain', 'directorFullName', 'directorEmail', 'directorPassword'] as const;
type Field = (typeof FIELDS)[number];

const form = document.querySelector<HTMLFormElement>('#register')!;
const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
const status = document.querySelector<HTMLElement>('#status')!;
const success = document.querySelector<HTMLElement>('#success')!;

/** Rejections that concern one field: shown beside it. */
const FIELD_OF_CODE: Record<string, Field> = { subdomain_taken: 'subdomain', email_taken: 'directorEmail' };

/** The key of a submission that may have happened, and the details it was for. */
let unsettled: { key: string; details: string } | undefined;

function showFieldErrors(errors: { field: string; message: string }[]): void {
  for (const field of FIELDS) {
    const input = form.elements.namedItem(field) as HTMLInputElement;
    const message = errors.find((error) => error.field === field)?.message;
    document.querySelector<HTMLElement>(`#${field}-error`)!.textContent = message ?? '';
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
  }
  const first = FIELDS.find((field) => errors.some((error) => error.field === field));
  if (first) (form.elements.namedItem(first) as HTMLInputElement).focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (button.disabled) return;
  const payload = Object.fromEntries(FIELDS.map((field) => [field, (form.elements.namedItem(field) as HTMLInputElement).value])) as Record<Field, string>;
  const details = JSON.stringify(payload);
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  status.textContent = 'Registering…';
  showFieldErrors([]);
  try {
    const key = unsettled?.details === details ? unsettled.key : undefined;
    const { registration } = await registerInstitution(payload, { baseUrl: '', ...(key ? { idempotencyKey: key } : {}) });
    unsettled = undefined;
    form.hidden = true;
    status.textContent = '';
    success.hidden = false;
    success.querySelector<HTMLElement>('#success-subdomain')!.textContent = registration.institution.subdomain;
    success.querySelector<HTMLElement>('#success-status')!.textContent = registration.institution.status;
    success.focus();
  } catch (error) {
    if (error instanceof RegistrationError) {
      unsettled = error.mayHaveHappened ? { key: error.idempotencyKey, details } : undefined;
      const field = FIELD_OF_CODE[error.code];
      const errors = error.problem?.errors ?? (field ? [{ field, message: error.message }] : []);
      showFieldErrors(errors);
      status.textContent = errors.length ? 'Please correct the highlighted fields.' : error.message;
    } else {
      status.textContent = 'Something went wrong; please try again.';
    }
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
});
