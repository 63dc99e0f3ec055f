/**
 * The access rules of the permission model: unscoped grants stop at other identities' private rows (packs, what lives
 * in them, keys), scoped grants do not; system-pack grants; integration-token secrets and their stored form.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantAllows, grantIsScoped, isOthersPrivateRow, systemPackGrants, type Grant } from '../../stack/common/authz-model';
import { hashIntegrationToken, integrationTokenActive, INTEGRATION_TOKEN_PREFIX, newIntegrationToken } from '../../stack/common/integration-tokens';

const ME = 7;
const OTHER = 8;
const admin: Grant[] = [{ resource: 'packs', actions: ['read', 'delete'] }, { resource: 'keys', actions: ['read'] }, { resource: 'rules', actions: ['read'] }];

describe('private rows of other identities', () => {
  it('an unscoped grant reaches my packs and ownerless packs, not another identity\'s', () => {
    assert.equal(grantAllows(admin, 'packs', 'read', { owner: ME, pack_ref: 'mine' }, ME), true);
    assert.equal(grantAllows(admin, 'packs', 'read', { owner: null, pack_ref: 'core' }, ME), true);
    assert.equal(grantAllows(admin, 'packs', 'read', { owner: OTHER, pack_ref: 'theirs' }, ME), false);
    assert.equal(grantAllows(admin, 'packs', 'delete', { owner: OTHER, pack_ref: 'theirs' }, ME), false);
    assert.equal(grantAllows(admin, 'keys', 'read', { owner: OTHER, ref: 'theirs.key' }, ME), false);
  });

  it('rules stay visible to unscoped grants (oversight of runs and automation)', () => {
    assert.equal(isOthersPrivateRow('rules', { owner: OTHER }, ME), false);
    assert.equal(grantAllows(admin, 'rules', 'read', { owner: OTHER }, ME), true);
  });

  it('a grant scoped by owner or by pack reaches another identity\'s pack when its constraint matches', () => {
    const anyOwner: Grant[] = [{ resource: 'packs', actions: ['read'], constraints: { owner: 'any' } }];
    const byPack: Grant[] = [{ resource: 'packs', actions: ['read'], constraints: { pack_refs: ['theirs'] } }];
    assert.equal(grantIsScoped(anyOwner[0]), true);
    assert.equal(grantAllows(anyOwner, 'packs', 'read', { owner: OTHER, pack_ref: 'theirs' }, ME), true);
    assert.equal(grantAllows(byPack, 'packs', 'read', { owner: OTHER, pack_ref: 'theirs' }, ME), true);
    assert.equal(grantAllows(byPack, 'packs', 'read', { owner: OTHER, pack_ref: 'other' }, ME), false);
  });
});

describe('system-pack grants', () => {
  it('read the system packs, run their actions and read only my own runs of them', () => {
    const grants = systemPackGrants(['core']);
    assert.equal(grantAllows(grants, 'packs', 'read', { owner: null, pack_ref: 'core' }, ME), true);
    assert.equal(grantAllows(grants, 'packs', 'delete', { owner: null, pack_ref: 'core' }, ME), false);
    assert.equal(grantAllows(grants, 'actions', 'execute', { owner: null, pack_ref: 'core', ref: 'core.echo' }, ME), true);
    assert.equal(grantAllows(grants, 'actions', 'update', { owner: null, pack_ref: 'core', ref: 'core.echo' }, ME), false);
    assert.equal(grantAllows(grants, 'executions', 'read', { owner: ME, pack_ref: 'core' }, ME), true);
    assert.equal(grantAllows(grants, 'executions', 'read', { owner: OTHER, pack_ref: 'core' }, ME), false);
    assert.equal(grantAllows(grants, 'packs', 'read', { owner: ME, pack_ref: 'mine' }, ME), false);
  });

  it('no system packs, no grants', () => {
    assert.deepEqual(systemPackGrants([]), []);
  });
});

describe('integration tokens', () => {
  it('a new secret: prefix, 32 random bytes, the SHA-256 stored, 18 + 6 characters shown', () => {
    const token = newIntegrationToken();
    assert.ok(token.secret.startsWith(INTEGRATION_TOKEN_PREFIX));
    assert.equal(Buffer.from(token.secret.slice(INTEGRATION_TOKEN_PREFIX.length), 'base64url').length, 32);
    assert.equal(token.hash, hashIntegrationToken(token.secret));
    assert.match(token.hash, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(token.prefix, token.secret.slice(0, 18));
    assert.equal(token.suffix, token.secret.slice(-6));
    assert.notEqual(newIntegrationToken().secret, token.secret);
  });

  it('active until revoked or past its expiry', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(integrationTokenActive({ revoked_at: null, expires_at: null }, now), true);
    assert.equal(integrationTokenActive({ revoked_at: '2025-12-31T00:00:00Z', expires_at: null }, now), false);
    assert.equal(integrationTokenActive({ revoked_at: null, expires_at: '2025-12-31T23:59:59Z' }, now), false);
    assert.equal(integrationTokenActive({ revoked_at: null, expires_at: '2026-01-01T00:00:01Z' }, now), true);
  });
});
