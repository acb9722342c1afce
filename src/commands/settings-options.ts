// The command-line side of the settings (docs/customising.md): `--set`, `--set-string`
// and `--patch` on every stack command whose stack declares workloads. Light (commander
// only): parsing happens in settings-flags.ts when inputs are read.
import { type Command, Option } from 'commander';

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function addSettingsOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--set <path=value>', "set a setting, Helm's way (repeatable): workloads.web.resources.limits.cpu=2, imagePullSecrets[0]=regcred").argParser(collect))
    .addOption(new Option('--set-string <path=value>', 'like --set, the value always text').argParser(collect))
    .addOption(new Option('--patch <file>', 'YAML list of patches (target kind/name; merge, strategic or json) applied to the rendered objects (repeatable)').argParser(collect).env('VH_DEPLOY_PATCH'));
}
