/** The registration page's markup and stylesheet: no inline script or style, so the strict CSP holds. */

const field = (name: string, label: string, type: string, extra: string, hint = '') => `
      <div class="field">
        <label for="${name}">${label}</label>
        ${hint ? `<p class="hint" id="${name}-hint">${hint}</p>` : ''}
        <input id="${name}" name="${name}" type="${type}" required ${extra}
               aria-describedby="${hint ? `${name}-hint ` : ''}${name}-error" aria-invalid="false">
        <p class="error" id="${name}-error" role="alert"></p>
      </div>`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Register your institution — IMS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/register-page.css">
  <script type="module" src="/assets/register-page.js"></script>
</head>
<body>
  <main>
    <h1>Register your institution</h1>
    <p class="lead">Create your institution and its director account. You can sign in as the director right after.</p>
    <form id="register" novalidate>
      <fieldset>
        <legend>Institution</legend>${field('name', 'Institution name', 'text', 'autocomplete="organization" minlength="3" maxlength="200"')}${field(
          'subdomain',
          'Subdomain',
          'text',
          'autocomplete="off" autocapitalize="none" spellcheck="false" minlength="3" maxlength="63" pattern="[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"',
          'Lower-case letters, digits and inner hyphens, e.g. springfield.',
        )}
      </fieldset>
      <fieldset>
        <legend>Director</legend>${field('directorFullName', 'Full name', 'text', 'autocomplete="name" maxlength="200"')}${field(
          'directorEmail',
          'Email',
          'email',
          'autocomplete="email" maxlength="255"',
        )}${field('directorPassword', 'Password', 'password', 'autocomplete="new-password" minlength="8"', 'At least 8 characters.')}
      </fieldset>
      <button type="submit">Register</button>
      <p id="status" role="status" aria-live="polite"></p>
    </form>
    <section id="success" tabindex="-1" hidden aria-labelledby="success-title">
      <h2 id="success-title">Your institution is registered</h2>
      <p>Subdomain: <strong id="success-subdomain"></strong></p>
      <p>Status: <strong id="success-status"></strong></p>
      <p>The director can now sign in with the email and password given.</p>
    </section>
  </main>
</body>
</html>
`;

export const PAGE_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
body { margin: 0; background: #f4f6f8; color: #1b1f24; }
main { max-width: 34rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
.lead { color: #44505c; margin-top: 0; }
form, #success { background: #fff; border: 1px solid #d5dbe1; border-radius: 0.6rem; padding: 1.25rem; }
fieldset { border: 0; margin: 0 0 1rem; padding: 0; }
legend { font-weight: 600; font-size: 1.05rem; margin-bottom: 0.5rem; }
.field { margin-bottom: 0.9rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.hint { margin: 0 0 0.3rem; font-size: 0.875rem; color: #55616d; }
input { box-sizing: border-box; width: 100%; font: inherit; padding: 0.6rem 0.7rem; border: 1px solid #8a96a3; border-radius: 0.4rem; }
input:focus { outline: 3px solid #7aa7ff; outline-offset: 1px; border-color: #2b5fd9; }
input[aria-invalid="true"] { border-color: #b3261e; background: #fff8f7; }
.error { margin: 0.25rem 0 0; min-height: 1.25rem; color: #b3261e; font-size: 0.9rem; }
button { width: 100%; font: inherit; font-weight: 600; padding: 0.75rem; border: 0; border-radius: 0.4rem; background: #2b5fd9; color: #fff; cursor: pointer; }
button:hover { background: #234fb7; }
button:disabled { background: #8aa3d9; cursor: progress; }
#status { margin: 0.75rem 0 0; min-height: 1.5rem; }
#success h2 { margin-top: 0; color: #1f6b36; }
@media (min-width: 40rem) { main { padding-top: 3rem; } }
`;
