import * as oidc from 'openid-client';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { clientKeys, codeParams, insecure, resident, walk, type Pass } from './rp.ts';

// The Redis-backed mode when this machine has the services: codes, PAR and DPoP replay records live there.
const mode = storageModes().at(-1)!;

describe(`openid-client as the relying party: code flow, PAR, DPoP, refresh, private_key_jwt, FAPI 2.0 (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let user: { id: string; email: string };

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await pass.platform.facilities.importCatalog((await import('../../src/facilities/facility-service.ts')).readCatalog());
    user = await resident(pass);
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const redirect = () => `${pass.issuer}/rp/cb`;

  test('confidential client: code flow with PKCE (S256), iss in the response, ID token, userinfo', async () => {
    // No facility: a facility's client gets pairwise subjects and only its consented claims (issue #6, test/registrations).
    const registered = await pass.oidc.clients.create({ name: '豊岡市 予約', redirectUris: [redirect()] });
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, undefined, oidc.ClientSecretBasic(registered.clientSecret!), insecure);
    expect(config.serverMetadata().authorization_response_iss_parameter_supported).toBe(true);
    expect(config.serverMetadata().code_challenge_methods_supported).toEqual(['S256']);

    const { params, verifier, state, nonce } = await codeParams(redirect());
    const { callback, pages } = await walk(oidc.buildAuthorizationUrl(config, params), redirect(), user);
    expect(pages).toEqual(['login', 'verify', 'consent']);
    expect(callback.searchParams.get('iss')).toBe(pass.issuer); // RFC 9207

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: pass.issuer, aud: registered.clientId, sub: user.id, nonce });
    // Sign-in at AAL2: the password, then the code sent by e-mail.
    expect(claims.acr).toBe('urn:pass:acr:mfa');
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ sub: user.id, email: user.email, email_verified: true });
  });

  test('public client: PAR and DPoP-bound access and refresh tokens, rotated on every refresh', async () => {
    const registered = await pass.oidc.clients.create({ name: 'ふるさと納税アプリ', redirectUris: [redirect()], tokenEndpointAuthMethod: 'none' });
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, undefined, oidc.None(), insecure);
    const key = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, key);

    const { params, verifier, state, nonce } = await codeParams(redirect(), 'openid email offline_access');
    const authorizationUrl = await oidc.buildAuthorizationUrlWithPAR(config, { ...params, prompt: 'consent' }, { DPoP });
    expect([...authorizationUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(authorizationUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const { callback } = await walk(authorizationUrl, redirect(), user);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, undefined, { DPoP });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const stored = await pass.oidc.host.provider.AccessToken.find(tokens.access_token);
    expect((stored as unknown as { jkt?: string })?.jkt).toBe(await calculateJwkThumbprint(await exportJWK(key.publicKey)));

    // The access token is useless without the key: a plain Bearer call to userinfo fails.
    const bearer = await fetch(new URL('/me', pass.issuer), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(bearer.status).toBe(401);
    expect((await oidc.fetchUserInfo(config, tokens.access_token, user.id, { DPoP })).email).toBe(user.email);

    // Refresh with the same key: a new refresh token each time (rotation for public clients).
    const first = tokens.refresh_token!;
    const refreshed = await oidc.refreshTokenGrant(config, first, undefined, { DPoP });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first);

    // The refresh token is bound to the key too: another key gets invalid_grant.
    const otherKey = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: otherKey })).rejects.toMatchObject({ error: 'invalid_grant' });

    // Reusing the rotated-out token is theft: refused, and the whole grant is revoked.
    await expect(oidc.refreshTokenGrant(config, first, undefined, { DPoP })).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('private_key_jwt client with a signed request object (JAR), pushed', async () => {
    const keys = await clientKeys('ES256');
    const registered = await pass.oidc.clients.create({
      name: '豊岡病院 受付',
      redirectUris: [redirect()],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: keys.jwks,
      extra: { request_object_signing_alg: 'ES256', require_signed_request_object: true, token_endpoint_auth_signing_alg: 'ES256' },
    });
    expect(registered.clientSecret).toBeUndefined();
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, undefined, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: keys.kid }), insecure);

    // An unsigned, plain authorization request is refused for this client.
    const plain = await codeParams(redirect());
    const refused = await fetch(oidc.buildAuthorizationUrl(config, plain.params), { redirect: 'manual' });
    const refusedAt = new URL(refused.headers.get('location') ?? 'http://none/');
    expect(refusedAt.searchParams.get('error')).toBe('invalid_request');
    expect(refusedAt.searchParams.get('code')).toBeNull();

    const { params, verifier, state, nonce } = await codeParams(redirect());
    const jarUrl = await oidc.buildAuthorizationUrlWithJAR(config, params, { key: keys.privateKey, kid: keys.kid });
    expect(jarUrl.searchParams.get('request')).toEqual(expect.any(String));
    const { callback } = await walk(jarUrl, redirect(), user);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.claims()!.sub).toBe(user.id);

    // The same request object may also be pushed (PAR, authenticated with private_key_jwt).
    const pushed = await codeParams(redirect());
    const request = (await oidc.buildAuthorizationUrlWithJAR(config, pushed.params, { key: keys.privateKey, kid: keys.kid })).searchParams.get('request')!;
    const parUrl = await oidc.buildAuthorizationUrlWithPAR(config, { request });
    const second = await walk(parUrl, redirect(), user);
    const again = await oidc.authorizationCodeGrant(config, second.callback, { pkceCodeVerifier: pushed.verifier, expectedState: pushed.state, expectedNonce: pushed.nonce });
    expect(again.access_token).toEqual(expect.any(String));
  });

  test('FAPI 2.0 opt-in: private_key_jwt, PAR and DPoP are enforced', async () => {
    await expect(pass.oidc.clients.create({ name: 'fapi with a secret', redirectUris: [redirect()], fapi: true })).rejects.toMatchObject({
      reason: 'invalid_client_metadata',
      message: expect.stringContaining('private_key_jwt'),
    });
    const keys = await clientKeys('PS256');
    const registered = await pass.oidc.clients.create({ name: '市税オンライン', redirectUris: [redirect()], tokenEndpointAuthMethod: 'private_key_jwt', jwks: keys.jwks, fapi: true });
    expect(registered.metadata).toMatchObject({ pass_fapi: true });
    const client = await pass.oidc.host.provider.Client.find(registered.clientId);
    expect(client?.metadata()).toMatchObject({ require_pushed_authorization_requests: true, dpop_bound_access_tokens: true });
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, undefined, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: keys.kid }), insecure);

    // Without PAR: refused at the authorization endpoint.
    const plain = await codeParams(redirect());
    const direct = await fetch(oidc.buildAuthorizationUrl(config, plain.params), { redirect: 'manual' });
    const directAt = new URL(direct.headers.get('location') ?? 'http://none/');
    expect(directAt.searchParams.get('error')).toBe('invalid_request');
    expect(directAt.searchParams.get('error_description')).toMatch(/pushed authorization request/i);

    // Without DPoP: no token (dpop_bound_access_tokens).
    const unbound = await codeParams(redirect());
    const noKey = await walk(await oidc.buildAuthorizationUrlWithPAR(config, unbound.params), redirect(), user);
    await expect(
      oidc.authorizationCodeGrant(config, noKey.callback, { pkceCodeVerifier: unbound.verifier, expectedState: unbound.state, expectedNonce: unbound.nonce }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const { params, verifier, state, nonce } = await codeParams(redirect());
    const { callback } = await walk(await oidc.buildAuthorizationUrlWithPAR(config, params, { DPoP }), redirect(), user);
    expect(callback.searchParams.get('iss')).toBe(pass.issuer);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, undefined, { DPoP });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(tokens.id_token!).sub).toBe(user.id);
  });
});
