import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApps } from '../../examples/zero-trust/support/apps.js';
import {
  builtAppModule,
  exampleRulesFile,
  exampleRuleTargets,
  runExampleRulesCli,
} from '../../examples/zero-trust/support/example-rules.js';
import { checkAccessRulesForApps } from '../../src/index.js';
import { repoRoot } from '../support/ory/binaries.js';

/**
 * CI's drift check: the example's committed config/access-rules.json must be what
 * `npm run example:rules` writes from the three apps, checked by the package's own CLI on the
 * apps compiled as a Nest project compiles them. In the e2e project, whose files run one at a
 * time, because the other files there run the apps from the same compiled output.
 */
describe("the zero-trust example's generated access rules", () => {
  beforeAll(() => buildApps(), 180_000);

  it('agree with the routes of auth-bff, orders-api and inventory-api (npm run example:rules)', () => {
    const checked = runExampleRulesCli('check');
    // The check's own lines on failure: what drifted, and that `npm run example:rules` fixes it.
    expect({
      exit: checked.status,
      problems: checked.stderr.trim().split('\n').filter(Boolean),
    }).toEqual({
      exit: 0,
      problems: [],
    });
    expect(checked.stdout).toContain(`${exampleRulesFile} matches the routes of`);
  });

  it('report a route added to a controller without regenerating them', async () => {
    @Controller('orders')
    class InvoiceController {
      @Get(':id/invoice')
      invoice(@Param('id') id: string) {
        return { id };
      }
    }
    @Module({ imports: [builtAppModule('orders-api')], controllers: [InvoiceController] })
    class GrownOrdersModule {}

    const { targets, shared } = exampleRuleTargets({ 'orders-api': GrownOrdersModule });
    const committed: unknown = JSON.parse(readFileSync(join(repoRoot, exampleRulesFile), 'utf8'));
    expect(await checkAccessRulesForApps(targets, committed, shared)).toEqual([
      'no rule matches InvoiceController.invoice GET /orders/:id/invoice',
      'no rule matches InvoiceController.invoice HEAD /orders/:id/invoice',
    ]);
  });
});
