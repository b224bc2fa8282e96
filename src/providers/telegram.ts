// Telegram: getMe names the bot. The token is part of the URL path, so only a placeholder is logged.
import { jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext, VerifyOutcome } from './types.js';

export const telegramProvider: Provider = {
  id: 'telegram',
  name: 'Telegram',
  defaultEndpoint: 'https://api.telegram.org',
  rules: { 'telegram-bot-token': {} },
  credentialsNeeded: { verify: [{ kind: 'leaked', description: 'the bot token' }] },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    if (!/^[0-9]+:[A-Za-z0-9_-]+$/.test(cred.secret)) return { status: 'unknown', evidence: { reason: 'not a bot token of the documented shape' } };
    const res = await ctx.http.request({ method: 'GET', path: `/bot${cred.secret}/getMe`, displayPath: '/bot<token>/getMe' });
    // Telegram answers 404 for a token it does not know the shape of
    return outcomeOf(res, {
      invalid: [401, 404],
      identity: (r) => {
        const bot = (jsonObject(r).result ?? {}) as Record<string, unknown>;
        return { username: str(bot.username) ?? '', id: str(bot.id) ?? '' };
      },
    });
  },
};
