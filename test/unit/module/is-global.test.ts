import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { IamModule, type IamModuleOptions, SessionService } from '../../../src/index.js';

const OPTIONS: IamModuleOptions = {
  tenants: { default: { transport: 'cookie', kratos: { publicUrl: 'http://127.0.0.1:9' } } },
};

@Injectable()
class Consumer {
  constructor(@Inject(SessionService) readonly sessions: SessionService) {}
}

/** A module that does not import IamModule itself. */
@Module({ providers: [Consumer] })
class FeatureModule {}

/**
 * forRoot wraps the options around the static, global IamModule (so that overrideModule reaches
 * it); isGlobal: false must still keep the services to the importing module.
 */
describe('IamModule isGlobal', () => {
  it('makes the services injectable in every module by default', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [IamModule.forRoot(OPTIONS), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).sessions).toBeInstanceOf(SessionService);
    await moduleRef.close();
  });

  it('keeps them to the importing module with isGlobal: false', async () => {
    const local = Test.createTestingModule({
      imports: [IamModule.forRoot({ ...OPTIONS, isGlobal: false })],
      providers: [Consumer],
    });
    const moduleRef = await local.compile();
    expect(moduleRef.get(Consumer).sessions).toBeInstanceOf(SessionService);
    await moduleRef.close();

    const elsewhere = Test.createTestingModule({
      imports: [IamModule.forRoot({ ...OPTIONS, isGlobal: false }), FeatureModule],
    });
    await expect(elsewhere.compile()).rejects.toThrow(/SessionService/);
  });
});
