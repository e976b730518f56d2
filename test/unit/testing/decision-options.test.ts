/**
 * `IamTestingModule.forRoot({ roles, errors })` decides and answers as `IamModule` with the same
 * options, so an app's tests see its role rule and its error shape; invalid ones fail the boot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamConfigurationError } from '../../../src/index.js';
import { IamTestingModule } from '../../../src/testing/index.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import { ClassRoleController } from '../guards/fixtures.js';

describe("IamTestingModule with roles: { combine: 'all' } and an errors mapper", () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(
      {
        imports: [
          IamTestingModule.forRoot({
            identity: { id: 'alice', roles: ['admin'] },
            roles: { combine: 'all' },
            errors: { map: (error) => ({ problem: error.code }) },
          }),
        ],
        controllers: [ClassRoleController],
      },
      'express',
    );
  });
  afterAll(() => running?.close());

  it("needs the class's role too, and answers in the app's shape", async () => {
    // The handler asks for admin, which alice has; its class asks for auditor, which she lacks.
    const response = await request(`${running.url}/class-role/override`);
    expect(response).toMatchObject({ status: 403, body: { problem: 'authz.role.deny' } });
  });
});

describe('IamTestingModule options', () => {
  it('refuses an unknown role combination and a mapper that is not a function', () => {
    const invalid = () =>
      IamTestingModule.forRoot({
        roles: { combine: 'any' as 'all' },
        errors: { map: 'shape' as never },
      });
    expect(invalid).toThrow(IamConfigurationError);
    expect(invalid).toThrow(/roles\.combine: must be one of 'override', 'all'[\s\S]*errors\.map/);
  });
});
