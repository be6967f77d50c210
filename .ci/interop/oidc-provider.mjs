// Starts panva's oidc-provider on 127.0.0.1 for tokenbench's interop suite (flows/interop_test.go).
// PORT is the port; CLIENTS a JSON array of client metadata. devInteractions gives a login and a
// consent page the suite's scripted browser fills in (any login and password are accepted).
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS);

const provider = new Provider(issuer, {
  clients,
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    dPoP: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, email: `${sub}@example.com`, email_verified: true, name: sub }; } };
  },
  // A refresh token for every client allowed the grant, without offline_access and prompt=consent.
  async issueRefreshToken(ctx, client) { return client.grantTypeAllowed('refresh_token'); },
  // Loose cookie settings: the suite runs over plain http on loopback.
  cookies: { keys: ['tokenbench-interop'] },
});
provider.listen(port, '127.0.0.1', () => { console.log(`oidc-provider listening on ${issuer}`); });
