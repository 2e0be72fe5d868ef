/** The embedded GoTrue's settings from a config.toml: the project's, a missing file or key (the CLI's defaults), and bad values. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_SETTINGS, readAuthSettings } from '../../src/local-supabase/gotrue/settings.js';
import { StartupError } from '../../src/startup.js';

describe('readAuthSettings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ims-settings-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const configWith = async (text: string) => {
    const path = join(dir, `${Math.random().toString(36).slice(2)}.toml`);
    await writeFile(path, text);
    return path;
  };

  /** The CLI's config.toml template (apps/cli-go/pkg/config/templates/config.toml), which fills what a file leaves out. */
  const CLI_DEFAULTS = {
    disableSignup: false,
    emailEnabled: true,
    siteUrl: 'http://127.0.0.1:3000',
    uriAllowList: ['https://127.0.0.1:3000'],
    mailerAutoconfirm: true,
    otpExpirySeconds: 3600,
    otpLength: 6,
    maxFrequencyMs: 1000,
  };

  it("reads this project's supabase/config.toml: sign-ups closed, the email provider on", async () => {
    expect(await readAuthSettings()).toEqual({ ...CLI_DEFAULTS, disableSignup: true });
  });

  it('a missing file, or one without the keys, has the CLI defaults: sign-ups open', async () => {
    expect(DEFAULT_AUTH_SETTINGS).toEqual(CLI_DEFAULTS);
    expect(await readAuthSettings(join(dir, 'absent.toml'))).toEqual(DEFAULT_AUTH_SETTINGS);
    expect(await readAuthSettings(await configWith('project_id = "x"\n[auth]\nenabled = true\n'))).toEqual(DEFAULT_AUTH_SETTINGS);
  });

  it('[auth] and [auth.email] enable_signup map as the CLI maps them to GoTrue', async () => {
    const path = await configWith('[auth]\nenable_signup = true\n[auth.email]\nenable_signup = false\n');
    expect(await readAuthSettings(path)).toEqual({ ...CLI_DEFAULTS, emailEnabled: false });
  });

  it('[auth] site_url, additional_redirect_urls and [auth.email] confirmation settings map as the CLI maps them to GoTrue', async () => {
    const path = await configWith(
      '[auth]\nsite_url = "https://app.example.com"\nadditional_redirect_urls = ["https://*.example.com/**"]\n' +
        '[auth.email]\nenable_confirmations = true\nmax_frequency = "1m30s"\notp_expiry = 600\notp_length = 8\n',
    );
    expect(await readAuthSettings(path)).toEqual({
      ...CLI_DEFAULTS,
      siteUrl: 'https://app.example.com',
      uriAllowList: ['https://*.example.com/**'],
      mailerAutoconfirm: false,
      otpExpirySeconds: 600,
      otpLength: 8,
      maxFrequencyMs: 90_000,
    });
    const badDuration = await configWith('[auth.email]\nmax_frequency = "soon"\n');
    await expect(readAuthSettings(badDuration)).rejects.toThrow(`${badDuration}: [auth.email] max_frequency: time: invalid duration "soon"`);
  });

  it('a value that is not a boolean, or a file that is not TOML, stops start-up naming the file and key', async () => {
    const wrongType = await configWith('[auth]\nenable_signup = "no"\n');
    await expect(readAuthSettings(wrongType)).rejects.toThrow(new StartupError(`${wrongType}: [auth] enable_signup must be true or false`));
    const broken = await configWith('[auth\n');
    await expect(readAuthSettings(broken)).rejects.toBeInstanceOf(StartupError);
    await expect(readAuthSettings(broken)).rejects.toThrow(broken);
  });
});
