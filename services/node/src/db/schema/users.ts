import { bigint, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * A person with an account on this node (DESIGN.md §9). Roles and status are read on every request,
 * so a change takes effect at once. Secrets are stored only as argon2id hashes, except the TOTP secret,
 * which the server must read to check a code: it is stored sealed (people/secrets.ts sealTotpSecret,
 * AES-256-GCM bound to the user id), never in plain text.
 */
export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  username: text('username').notNull().unique(),
  roles: text('roles').array().notNull(),
  /** `invited` until enrolment completes, then `active`; `disabled` by an operator. */
  status: text('status').notNull(),
  locale: text('locale').notNull(),
  passwordHash: text('password_hash'),
  totpSecret: text('totp_secret'),
  /** The last TOTP time step accepted: a code of this step or an earlier one is refused (replay). */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
  /** The identity at the organisation's OpenID provider this account signs in as (ID token `iss` and `sub`). */
  oidcIssuer: text('oidc_issuer'),
  oidcSubject: text('oidc_subject'),
}, (t) => [uniqueIndex('users_oidc_identity_idx').on(t.oidcIssuer, t.oidcSubject)]);
