import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { demoReferral } from '../src/demo/scenario.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { exportOf } from './support/audit.ts';

const TABLES = ['audit_events', 'audit_pending', 'audit_leaves', 'audit_tree_nodes', 'audit_checkpoints', 'audit_cosignatures'];

describe('the audit log holds no personal data', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('has none of the seeded marker values anywhere, after every path that writes events', async () => {
    const input = demoReferral(new Date());
    const markers = {
      givenName: 'Markerina',
      familyName: 'Zzyzx-Quorlen',
      birthDate: '1987-06-05',
      localId: 'ATN-MARKER-4711',
      documentNumber: 'PMARK9911',
      urgentHealthNeeds: 'marker-health-needs-quince',
      note: 'marker-note-rhubarb-Ђурђевак',
      withdrawNote: 'marker-withdraw-note-sorrel',
    };
    input.person = { ...input.person, givenName: markers.givenName, familyName: markers.familyName, birthDate: markers.birthDate, localId: markers.localId, documentNumber: markers.documentNumber, urgentHealthNeeds: markers.urgentHealthNeeds };
    input.consent = { ...input.consent, dataCategories: [...input.consent.dataCategories] };
    input.note = markers.note;

    // Create, deliver, receive, read on both sides (get and list), withdraw and deliver that too.
    const created = await atina.api('POST', '/v1/referrals', input);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received');
    expect((await pvpt.api('GET', `/v1/referrals/${id}`)).status).toBe(200);
    expect((await pvpt.api('GET', '/v1/referrals')).status).toBe(200);
    expect((await atina.api('GET', '/v1/referrals')).status).toBe(200);
    const withdrawn = await atina.api('POST', `/v1/referrals/${id}/withdraw`, { reason: 'PERSON_DECLINED', note: markers.withdrawNote });
    expect(withdrawn.status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body.status === 'cancelled');
    // A refused message whose bytes carry a marker.
    const refused = await fetch(`${pvpt.federationUrl}/federation/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: `${Buffer.from(markers.givenName).toString('base64url')}.a.b.c.d` });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    // Admin actions: witnessing both ways, verification, export.
    const [atinaAdmin, pvptAdmin] = await Promise.all([atina.token(['admin', 'audit:read']), pvpt.token(['admin', 'audit:read'])]);
    for (const [node, token] of [[atina, atinaAdmin], [pvpt, pvptAdmin]] as const) {
      expect((await node.api('POST', '/admin/v1/audit/witness', undefined, token)).status).toBe(200);
      expect((await node.api('POST', '/admin/v1/audit/verify', undefined, token)).body.ok).toBe(true);
    }

    for (const [node, token] of [[atina, atinaAdmin], [pvpt, pvptAdmin]] as const) {
      // The personal data did reach the referrals table (so the markers are live) ...
      const referrals = (await node.node.ctx.db.execute(sql`select r::text as row from referrals r`)).rows.map((r) => r.row).join('\n');
      expect(referrals).toContain(markers.givenName);
      // ... and none of it is in any audit table or export.
      const types = new Set<string>();
      for (const table of TABLES) {
        const rows = (await node.node.ctx.db.execute(sql.raw(`select t::text as row from ${table} t`))).rows.map((r) => String(r.row));
        if (table === 'audit_events') for (const row of (await node.node.ctx.db.execute(sql`select distinct type from audit_events`)).rows) types.add(String(row.type));
        const text = rows.join('\n');
        for (const [name, value] of Object.entries(markers)) expect(text, `${name} in ${node.id}.${table}`).not.toContain(value);
      }
      for (const format of ['ndjson', 'csv']) {
        const { text } = await exportOf(node, token, `?format=${format}`);
        for (const [name, value] of Object.entries(markers)) expect(text, `${name} in ${node.id} ${format} export`).not.toContain(value);
      }
      expect(types.size).toBeGreaterThan(5);
    }
  });
});
