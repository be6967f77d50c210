// Starts panva's oidc-provider on 127.0.0.1 for tokenbench's interop suite (flows/interop_test.go).
// PORT is the port; CLIENTS a JSON array of client metadata; INITIAL_ACCESS_TOKEN the token dynamic
// client registration (RFC 7591) wants, whose clients are managed at their registration_client_uri
// (RFC 7592, the registration access token rotated on update). devInteractions gives a login and a
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
    registration: { enabled: true, initialAccessToken: process.env.INITIAL_ACCESS_TOKEN },
    registrationManagement: { enabled: true },
    // RP-initiated logout is on by default; its confirmation page is a form the suite submits.
    rpInitiatedLogout: { enabled: true },
    // CIBA (poll and ping; oidc-provider has no push): the login_hint is the account, and the
    // "authentication device" approves every request a second later.
    ciba: {
      enabled: true,
      deliveryModes: ['poll', 'ping'],
      async processLoginHint(ctx, loginHint) { return loginHint; },
      async verifyUserCode() {},
      async validateRequestContext() {},
      async triggerAuthenticationDevice(ctx, request) {
        // A failure here is logged, not left unhandled: that would end the node process, and with
        // it every case after this one.
        setTimeout(async () => {
          try {
            const grant = new provider.Grant({ clientId: request.clientId, accountId: request.accountId });
            grant.addOIDCScope(request.scope);
            await grant.save();
            await provider.backchannelResult(request, grant);
          } catch (err) {
            console.error('CIBA approval failed:', err);
          }
        }, 1000);
      },
    },
  },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, email: `${sub}@example.com`, email_verified: true, name: sub }; } };
  },
  // A refresh token for every client allowed the grant, without offline_access and prompt=consent.
  async issueRefreshToken(ctx, client) { return client.grantTypeAllowed('refresh_token'); },
  // The CIBA ping goes to tokenbench's notification endpoint on loopback, which oidc-provider's
  // SSRF guard refuses (a special-use address): the suite's provider calls without the guard.
  fetch(url, options) { delete options.dispatcher; return globalThis.fetch(url, options); },
  // Loose cookie settings: the suite runs over plain http on loopback.
  cookies: { keys: ['tokenbench-interop'] },
});
provider.listen(port, '127.0.0.1', () => { console.log(`oidc-provider listening on ${issuer}`); });
