// Every provider module keywarden ships, in one list.
import { anthropicProvider } from './anthropic.js';
import { awsProvider } from './aws.js';
import { datadogProvider } from './datadog.js';
import { digitaloceanProvider } from './digitalocean.js';
import { discordProvider } from './discord.js';
import { githubProvider } from './github.js';
import { gitlabProvider } from './gitlab.js';
import { herokuProvider } from './heroku.js';
import { huggingfaceProvider } from './huggingface.js';
import { mailgunProvider } from './mailgun.js';
import { npmProvider } from './npm.js';
import { openaiProvider } from './openai.js';
import { ProviderRegistry } from './registry.js';
import { sendgridProvider } from './sendgrid.js';
import { slackProvider } from './slack.js';
import { stripeProvider } from './stripe.js';
import { telegramProvider } from './telegram.js';
import { twilioProvider } from './twilio.js';
import type { Provider } from './types.js';

export function builtinProviders(): Provider[] {
  return [
    anthropicProvider,
    awsProvider,
    datadogProvider,
    digitaloceanProvider,
    discordProvider,
    githubProvider,
    gitlabProvider,
    herokuProvider,
    huggingfaceProvider,
    mailgunProvider,
    npmProvider,
    openaiProvider,
    sendgridProvider,
    slackProvider,
    stripeProvider,
    telegramProvider,
    twilioProvider,
  ];
}

export function builtinRegistry(): ProviderRegistry {
  return new ProviderRegistry(builtinProviders());
}
