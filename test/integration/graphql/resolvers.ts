import {
  Args,
  Field,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import {
  Anonymous,
  CurrentUser,
  type IamIdentity,
  Public,
  RequirePermission,
  RequireRole,
  RequireScope,
  RequireService,
} from '../../../src/index.js';

/**
 * What the resolvers did, to prove a refused field ran nothing. The guarded fields are nullable so
 * that a refusal nulls that field alone and every field reports its own error.
 */
export const effects: string[] = [];

@ObjectType()
export class Box {
  @Field()
  id!: string;
}

@Resolver(() => Box)
export class BoxResolver {
  @Query(() => Box)
  @Anonymous()
  box(): Box {
    return { id: 'box-1' };
  }

  @ResolveField(() => String, { nullable: true })
  @RequireRole('admin')
  guarded(@Parent() box: Box, @CurrentUser('id') caller: string): string {
    effects.push(`guarded ${box.id} by ${caller}`);
    return `guarded ${box.id}`;
  }
}

@Resolver()
export class ApiResolver {
  @Query(() => String)
  @Public()
  health(): string {
    return 'ok';
  }

  @Query(() => String, { nullable: true })
  @Anonymous()
  whoami(@CurrentUser() user: IamIdentity | undefined): string | null {
    return user?.id ?? null;
  }

  @Query(() => String, { nullable: true })
  secret(@CurrentUser('id') caller: string): string {
    effects.push(`secret by ${caller}`);
    return `secret for ${caller}`;
  }

  @Query(() => String, { nullable: true })
  @RequireRole('admin')
  adminReport(@CurrentUser('id') caller: string): string {
    effects.push(`adminReport by ${caller}`);
    return 'report';
  }

  @Query(() => String, { nullable: true })
  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  reserve(@CurrentUser('id') caller: string): string {
    effects.push(`reserve by ${caller}`);
    return `reserved for ${caller}`;
  }

  @Mutation(() => String)
  @Anonymous()
  ping(): string {
    return 'pong';
  }

  @Mutation(() => String, { nullable: true })
  deleteEverything(@CurrentUser('id') caller: string): string {
    effects.push(`deleteEverything by ${caller}`);
    return 'deleted';
  }

  @Mutation(() => String, { nullable: true })
  @RequirePermission({
    namespace: 'orders',
    relation: 'delete',
    object: (request) => String(request.args.id),
  })
  deleteOrder(@Args('id') id: string, @CurrentUser('id') caller: string): string {
    effects.push(`deleteOrder ${id} by ${caller}`);
    return id;
  }

  @Subscription(() => String)
  ticks(): AsyncIterator<{ ticks: string }> {
    effects.push('ticks');
    return ticksOf('ticks');
  }

  @Subscription(() => String)
  @Public()
  publicTicks(): AsyncIterator<{ publicTicks: string }> {
    return ticksOf('publicTicks');
  }
}

async function* ticksOf<Name extends string>(name: Name): AsyncGenerator<Record<Name, string>> {
  yield { [name]: 'tick' } as Record<Name, string>;
}
