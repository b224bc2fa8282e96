// Discord: GET /users/@me with "Bot <token>"; a webhook URL is read with GET (which never posts).
import { jsonObject, outcomeOf, str } from './outcome.js';
import type { Credential, Provider, ProviderContext, VerifyOutcome } from './types.js';

const WEBHOOK = /\/webhooks\/([0-9]{17,20})\/([A-Za-z0-9_-]{60,72})$/;

export const discordProvider: Provider = {
  id: 'discord',
  name: 'Discord',
  defaultEndpoint: 'https://discord.com',
  rules: { 'discord-bot-token': {}, 'discord-webhook-url': {} },
  unverifiable: { 'discord-client-secret': 'checking a client secret needs a client-credentials grant; not done' },
  credentialsNeeded: { verify: [{ kind: 'leaked', description: 'the bot token or webhook URL' }] },
  async verify(cred: Credential, ctx: ProviderContext): Promise<VerifyOutcome> {
    if (cred.ruleId === 'discord-webhook-url') {
      const m = WEBHOOK.exec(cred.secret);
      if (!m) return { status: 'unknown', evidence: { reason: 'not a webhook URL of the documented shape' } };
      const res = await ctx.http.request({
        method: 'GET',
        path: `/api/v10/webhooks/${m[1]}/${m[2]}`,
        displayPath: `/api/v10/webhooks/${m[1]}/<token>`,
      });
      return outcomeOf(res, {
        invalid: [401, 404],
        identity: (r) => {
          const b = jsonObject(r);
          return { webhook: str(b.name) ?? '', channel: str(b.channel_id) ?? '', guild: str(b.guild_id) ?? '' };
        },
      });
    }
    const res = await ctx.http.request({ method: 'GET', path: '/api/v10/users/@me', headers: { authorization: `Bot ${cred.secret}` } });
    return outcomeOf(res, {
      identity: (r) => {
        const b = jsonObject(r);
        return { username: str(b.username) ?? '', id: str(b.id) ?? '', bot: b.bot === true };
      },
    });
  },
};
