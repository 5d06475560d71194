import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// oidc-provider ships no type declarations.
// @ts-expect-error -- untyped JavaScript module
import Provider from 'oidc-provider';

/** Who the next person to pass the provider's login is, and which authentication methods it reports. */
export interface Login {
  subject: string;
  amr?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The login the provider performs for the next authorization request. */
  nextLogin: Login;
  /** Follows an authorization URL through the provider (as a browser would) to the redirect URI's query. */
  authorize(url: string): Promise<URLSearchParams>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider) on loopback, with one confidential client. Its login
 * and consent are done in code: each authorization request logs in `nextLogin` with its `amr`.
 */
export async function startTestProvider(redirectUri: string): Promise<TestProvider> {
  const clientId = 'bridge-test';
  const clientSecret = 'a-client-secret-long-enough-for-hs256-0123456789';
  let issuer = '';
  const state: { provider: any; server: Server | undefined; nextLogin: Login } = { provider: undefined, server: undefined, nextLogin: { subject: 'nobody' } };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      void finishInteraction(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    state.provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    // amr in the ID token (not among the defaults), as an organisation's provider sends it.
    claims: { acr: null, sid: null, auth_time: null, iss: null, openid: ['sub', 'amr'] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
  });
  state.provider = provider;
  state.server = server;

  async function finishInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await provider.interactionDetails(req, res);
    const { subject, amr } = state.nextLogin;
    const grant = new provider.Grant({ accountId: subject, clientId });
    grant.addOIDCScope('openid');
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: subject, ...(amr ? { amr } : {}) }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  const result: TestProvider = {
    issuer,
    clientId,
    clientSecret,
    get nextLogin() {
      return state.nextLogin;
    },
    set nextLogin(login: Login) {
      state.nextLogin = login;
    },
    async authorize(url: string) {
      const cookies = new Map<string, string>();
      let next = url;
      for (let hop = 0; hop < 10; hop++) {
        if (next.startsWith(redirectUri)) return new URL(next).searchParams;
        const res = await fetch(next, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, ...v] = pair!.split('=');
          cookies.set(k!, v.join('='));
        }
        const location = res.headers.get('location');
        if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
        next = new URL(location, next).href;
      }
      throw new Error('too many redirects');
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return result;
}
