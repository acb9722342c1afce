// Prompts go through this small interface so commands never import inquirer directly
// (it costs ~50 ms at start-up) and tests can drive them with @inquirer/testing.
import { ExitCode, VhError } from '../errors.js';

export interface Prompter {
  input(o: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string>;
  password(o: { message: string; validate?: (v: string) => true | string }): Promise<string>;
  select(o: { message: string; choices: ReadonlyArray<{ value: string; name: string }>; default?: string }): Promise<string>;
  confirm(o: { message: string; default?: boolean }): Promise<boolean>;
}

export async function inquirerPrompter(): Promise<Prompter> {
  const p = await import('@inquirer/prompts');
  const ctx = { output: process.stderr };
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      // Ctrl-C or a closed stdin: the user stopped us; exit 130 like a shell would.
      if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) {
        throw new VhError('interrupted at a prompt; nothing was applied', ExitCode.interrupted);
      }
      throw e;
    }
  };
  return {
    input: (o) => wrap(() => p.input({ message: o.message, default: o.default, required: true, validate: o.validate }, ctx)),
    password: (o) => wrap(() => p.password({ message: o.message, mask: '*', validate: o.validate }, ctx)),
    select: (o) => wrap(() => p.select({ message: o.message, choices: [...o.choices], default: o.default }, ctx)),
    confirm: (o) => wrap(() => p.confirm({ message: o.message, default: o.default }, ctx)),
  };
}

/**
 * Prompting is allowed only with a terminal on both ends, outside CI, and without
 * --yes/--non-interactive: inquirer itself never checks and exits 0 on a closed stdin.
 */
export function canPrompt(o: { yes?: boolean; nonInteractive?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && !/^(false|0|no)?$/i.test(env.CI);
  return !o.yes && !o.nonInteractive && !ci && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
}
