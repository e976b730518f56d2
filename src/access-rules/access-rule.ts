/** One handler of a rule: an authenticator, the authorizer or a mutator. */
export interface AccessRuleHandler {
  readonly handler: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** An Oathkeeper access rule as its file repositories read it (JSON or YAML). */
export interface OathkeeperAccessRule {
  readonly id: string;
  readonly description?: string;
  readonly upstream: { readonly url: string; readonly preserve_host?: boolean };
  readonly match: { readonly url: string; readonly methods: readonly string[] };
  readonly authenticators: readonly AccessRuleHandler[];
  readonly authorizer: AccessRuleHandler;
  readonly mutators: readonly AccessRuleHandler[];
}
