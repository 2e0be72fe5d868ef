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

  it("reads this project's supabase/config.toml: sign-ups closed, the email provider on", async () => {
    expect(await readAuthSettings()).toEqual({ disableSignup: true, emailEnabled: true });
  });

  it('a missing file, or one without the keys, has the CLI defaults: sign-ups open', async () => {
    expect(DEFAULT_AUTH_SETTINGS).toEqual({ disableSignup: false, emailEnabled: true });
    expect(await readAuthSettings(join(dir, 'absent.toml'))).toEqual(DEFAULT_AUTH_SETTINGS);
    expect(await readAuthSettings(await configWith('project_id = "x"\n[auth]\nenabled = true\n'))).toEqual(DEFAULT_AUTH_SETTINGS);
  });

  it('[auth] and [auth.email] enable_signup map as the CLI maps them to GoTrue', async () => {
    const path = await configWith('[auth]\nenable_signup = true\n[auth.email]\nenable_signup = false\n');
    expect(await readAuthSettings(path)).toEqual({ disableSignup: false, emailEnabled: false });
  });

  it('a value that is not a boolean, or a file that is not TOML, stops start-up naming the file and key', async () => {
    const wrongType = await configWith('[auth]\nenable_signup = "no"\n');
    await expect(readAuthSettings(wrongType)).rejects.toThrow(new StartupError(`${wrongType}: [auth] enable_signup must be true or false`));
    const broken = await configWith('[auth\n');
    await expect(readAuthSettings(broken)).rejects.toBeInstanceOf(StartupError);
    await expect(readAuthSettings(broken)).rejects.toThrow(broken);
  });
});
