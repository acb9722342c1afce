// The real inquirer prompts, driven through @inquirer/testing: validation at the
// prompt uses the same zod schema as flags, and secrets are masked on screen.
import { screen } from '@inquirer/testing/vitest';
import { describe, expect, it } from 'vitest';
import { CLOUD_FIELDS } from '../../src/stacks/posthog-connection/fields.js';
import { SELF_HOSTED_FIELDS } from '../../src/stacks/posthog/fields.js';
import { inquirerPrompter } from '../../src/config/prompts.js';
import { ask } from '../../src/config/resolve.js';

const field = (fields: typeof CLOUD_FIELDS, key: string) => fields.find((f) => f.key === key)!;

describe('inquirer prompts', () => {
  it('a bad domain is refused at the prompt with the flag’s message, then a good one is accepted', async () => {
    const p = await inquirerPrompter();
    const answer = ask(p, field(SELF_HOSTED_FIELDS, 'domain'));
    expect(screen.getScreen()).toContain('Public domain for PostHog');
    screen.type('bad domain');
    screen.keypress('enter');
    await screen.next();
    expect(screen.getScreen()).toContain('expected a lowercase DNS name such as posthog.example.com');
    for (let i = 0; i < 'bad domain'.length; i++) screen.keypress('backspace');
    screen.type('posthog.example.com');
    screen.keypress('enter');
    await expect(answer).resolves.toBe('posthog.example.com');
  });
  it('the API key prompt masks what is typed', async () => {
    const p = await inquirerPrompter();
    const key = 'phc_promptPROMPTprompt0123456';
    const answer = ask(p, field(CLOUD_FIELDS, 'posthogApiKey'));
    screen.type(key);
    expect(screen.getScreen()).toContain('****');
    expect(screen.getScreen()).not.toContain(key);
    screen.keypress('enter');
    await expect(answer).resolves.toBe(key);
  });
  it('the region is a select of us/eu', async () => {
    const p = await inquirerPrompter();
    const answer = ask(p, field(CLOUD_FIELDS, 'region'));
    expect(screen.getScreen()).toContain('US (us.i.posthog.com)');
    screen.keypress('down');
    screen.keypress('enter');
    await expect(answer).resolves.toBe('eu');
  });
});
