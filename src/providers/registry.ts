// Which provider module checks which finding: by rule id, else by the rule's provider field.
import type { Finding } from '../types.js';
import type { CredentialShape, Provider } from './types.js';

export type ProviderMatch = { provider: Provider; shape: CredentialShape } | { provider?: Provider; reason: string };

export class ProviderRegistry {
  private readonly byRule = new Map<string, { provider: Provider; shape: CredentialShape }>();
  private readonly byId = new Map<string, Provider>();

  constructor(readonly providers: readonly Provider[]) {
    for (const p of providers) {
      if (this.byId.has(p.id)) throw new Error(`two provider modules claim the id "${p.id}"`);
      this.byId.set(p.id, p);
      for (const [ruleId, shape] of Object.entries(p.rules)) {
        if (this.byRule.has(ruleId)) throw new Error(`rule ${ruleId} is claimed by ${this.byRule.get(ruleId)!.provider.id} and ${p.id}`);
        this.byRule.set(ruleId, { provider: p, shape });
      }
    }
  }

  get(id: string): Provider | undefined {
    return this.byId.get(id);
  }

  match(f: Pick<Finding, 'ruleId' | 'provider'>): ProviderMatch {
    const hit = this.byRule.get(f.ruleId);
    if (hit) return hit;
    const provider = this.byId.get(f.provider);
    if (!provider) return { reason: `no verifier for provider "${f.provider}"` };
    return { provider, reason: provider.unverifiable?.[f.ruleId] ?? `${provider.name} verification does not cover ${f.ruleId} findings` };
  }
}
