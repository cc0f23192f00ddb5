// A real OpenID provider (panva's certified `oidc-provider`) for the web app's sign-in test on AWS's path
// (tests/browser/test_oidc_sign_in.py): the authorization code flow with PKCE for one public client, JWT access
// tokens for the API's audience carrying the tenant claim, any login accepted on its development login page.
// Usage: node oidc_issuer.mjs PORT REDIRECT_URI TENANT AUDIENCE
import Provider from "oidc-provider";

const [port, redirectUri, tenant, audience] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: "webapp",
    token_endpoint_auth_method: "none", // a public client: PKCE is required for it
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  }],
  cookies: { keys: ["aicore-test-cookie-key"] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: "openid", audience, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }),
    },
  },
  // The person consents by signing in: grant what the app asks for.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid");
    grant.addResourceScope(audience, "openid");
    await grant.save();
    return grant;
  },
  extraTokenClaims: () => ({ zid: tenant }),
});

provider.listen(Number(port), "127.0.0.1", () => console.log(`issuer ready at ${issuer}`));
