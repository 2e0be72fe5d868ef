/** Start-up failures: one clear line on stderr and exit code 1, never a stack trace. */

/** A failure to start whose message says what is wrong and what to change. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Runs an entry point's start-up; whatever stops it is reported as one line, `<name>: <message>`. */
export async function startOrExit<T>(name: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: could not start: ${message.split('\n')[0]}\n`);
    process.exit(1);
  }
}
