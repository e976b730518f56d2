/**
 * `npm run example:rules`: writes config/access-rules.json from the three apps with the package's
 * own CLI, after compiling them (and the package, when src/ changed). `-- --check` checks the
 * committed file against the apps instead: exit 1 with one line per problem.
 */
import { buildApps } from './support/apps.js';
import { exampleRulesArgs, runExampleRulesCli } from './support/example-rules.js';

const mode = process.argv.includes('--check') ? 'check' : 'out';
buildApps();
// Quoted as a shell needs it: the origin's `<{...}>` would be a redirect.
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word}'`);
console.log(`npx nestjs-ory-iam ${exampleRulesArgs(mode).map(shellWord).join(' ')}`);
const result = runExampleRulesCli(mode);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exit(result.status ?? 1);
