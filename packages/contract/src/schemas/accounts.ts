/** Zod schemas for people's accounts: sign-in, enrolment, step-up, sessions, users. See ../schemas.ts. */
import { z } from 'zod';
import { dateTime, unique, uniqueMessage } from './helpers.ts';

export const UserRole = z.enum(['case_worker', 'supervisor', 'auditor', 'operator']);
export type UserRole = z.infer<typeof UserRole>;

export const Scope = z.enum(['referrals:read', 'referrals:write', 'audit:read', 'admin']);
export type Scope = z.infer<typeof Scope>;

export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/);
export type Username = z.infer<typeof Username>;

export const ConsoleLocale = z.enum(['en', 'sr-Latn', 'sr-Cyrl', 'sq']);
export type ConsoleLocale = z.infer<typeof ConsoleLocale>;

export const SignInMethod = z.enum(['passkey', 'password', 'recovery_code', 'oidc']);
export type SignInMethod = z.infer<typeof SignInMethod>;

export const SignInOptions = z.strictObject({
  passkey: z.boolean(),
  password: z.boolean(),
  oidc: z.strictObject({ label: z.string().max(100) }).nullable(),
});
export type SignInOptions = z.infer<typeof SignInOptions>;

export const Passkey = z.strictObject({
  id: z.uuid(),
  name: z.string().max(64).nullable(),
  createdAt: dateTime(),
  lastUsedAt: dateTime().nullable(),
  backedUp: z.boolean(),
});
export type Passkey = z.infer<typeof Passkey>;

export const OwnFactors = z.strictObject({
  passkeys: z.array(Passkey),
  password: z.boolean(),
  totp: z.boolean(),
  recoveryCodesLeft: z.number().int().min(0).max(10),
});
export type OwnFactors = z.infer<typeof OwnFactors>;

export const CurrentUser = z.strictObject({
  id: z.uuid(),
  username: Username,
  roles: z.array(UserRole),
  scopes: z.array(Scope),
  locale: ConsoleLocale,
  factors: OwnFactors,
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const SessionState = z.strictObject({
  id: z.uuid(),
  method: SignInMethod,
  createdAt: dateTime(),
  idleExpiresAt: dateTime(),
  expiresAt: dateTime(),
  stepUpUntil: dateTime().nullable(),
});
export type SessionState = z.infer<typeof SessionState>;

const token43 = () => z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const SessionInfo = z.strictObject({
  user: CurrentUser,
  session: SessionState,
  csrfToken: token43(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SessionSummary = z.strictObject({
  id: z.uuid(),
  method: SignInMethod,
  createdAt: dateTime(),
  lastSeenAt: dateTime(),
  expiresAt: dateTime(),
  current: z.boolean(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const SessionList = z.strictObject({ items: z.array(SessionSummary) });
export type SessionList = z.infer<typeof SessionList>;

export const Password = z.string().min(1).max(1024);
export type Password = z.infer<typeof Password>;

export const OneTimeCode = z.string().min(6).max(64);
export type OneTimeCode = z.infer<typeof OneTimeCode>;

export const PasswordSignIn = z.strictObject({
  username: z.string().min(1).max(64),
  password: Password,
  code: OneTimeCode,
});
export type PasswordSignIn = z.infer<typeof PasswordSignIn>;

export const PasswordStepUp = z.strictObject({ password: Password, code: OneTimeCode });
export type PasswordStepUp = z.infer<typeof PasswordStepUp>;

export const PasswordChange = z.strictObject({ password: Password });
export type PasswordChange = z.infer<typeof PasswordChange>;

/** A WebAuthn object in its JSON form, passed through to @simplewebauthn/server, which checks it. */
export const WebAuthnJson = z.record(z.string(), z.unknown());
export type WebAuthnJson = z.infer<typeof WebAuthnJson>;

export const PasskeyChallenge = z.strictObject({ challengeId: z.uuid(), publicKey: WebAuthnJson });
export type PasskeyChallenge = z.infer<typeof PasskeyChallenge>;

export const PasskeyResponse = z.strictObject({ challengeId: z.uuid(), credential: WebAuthnJson });
export type PasskeyResponse = z.infer<typeof PasskeyResponse>;

export const PasskeyRegistration = z.strictObject({
  challengeId: z.uuid(),
  name: z.string().min(1).max(64).optional(),
  credential: WebAuthnJson,
});
export type PasskeyRegistration = z.infer<typeof PasskeyRegistration>;

export const EnrolmentToken = z.strictObject({ token: token43() });
export type EnrolmentToken = z.infer<typeof EnrolmentToken>;

export const Enrolment = z.strictObject({
  username: Username,
  roles: z.array(UserRole),
  methods: z.array(z.enum(['passkey', 'password'])),
  expiresAt: dateTime(),
});
export type Enrolment = z.infer<typeof Enrolment>;

export const PasskeyEnrolment = z.strictObject({
  token: token43(),
  challengeId: z.uuid(),
  name: z.string().min(1).max(64).optional(),
  credential: WebAuthnJson,
});
export type PasskeyEnrolment = z.infer<typeof PasskeyEnrolment>;

export const TotpSetup = z.strictObject({
  secret: z.string().regex(/^[A-Z2-7]{32}$/),
  otpauthUri: z.string(),
});
export type TotpSetup = z.infer<typeof TotpSetup>;

export const PasswordEnrolment = z.strictObject({
  token: token43(),
  password: Password,
  totpCode: z.string().regex(/^[0-9]{6}$/),
});
export type PasswordEnrolment = z.infer<typeof PasswordEnrolment>;

export const RecoveryCode = z.string().regex(/^[a-z0-9]{4}(-[a-z0-9]{4}){6}$/);
export type RecoveryCode = z.infer<typeof RecoveryCode>;

export const RecoveryCodes = z.strictObject({ recoveryCodes: z.array(RecoveryCode).min(10).max(10) });
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

export const Enrolled = z.strictObject({
  signedIn: SessionInfo,
  recoveryCodes: z.array(RecoveryCode).min(10).max(10),
});
export type Enrolled = z.infer<typeof Enrolled>;

export const Preferences = z.strictObject({ locale: ConsoleLocale });
export type Preferences = z.infer<typeof Preferences>;

export const UserStatus = z.enum(['invited', 'active', 'disabled']);
export type UserStatus = z.infer<typeof UserStatus>;

export const UserFactors = z.strictObject({
  passkeys: z.number().int().min(0),
  password: z.boolean(),
  totp: z.boolean(),
  recoveryCodesLeft: z.number().int().min(0).max(10),
});
export type UserFactors = z.infer<typeof UserFactors>;

export const User = z.strictObject({
  id: z.uuid(),
  username: Username,
  roles: z.array(UserRole),
  status: UserStatus,
  locked: z.boolean(),
  factors: UserFactors,
  createdAt: dateTime(),
  lastSignInAt: dateTime().nullable(),
});
export type User = z.infer<typeof User>;

export const UserList = z.strictObject({ items: z.array(User) });
export type UserList = z.infer<typeof UserList>;

const roleSet = () => z.array(UserRole).min(1).max(4).refine(unique, uniqueMessage);

export const UserRoles = z.strictObject({ roles: roleSet() });
export type UserRoles = z.infer<typeof UserRoles>;

export const UserCreate = z.strictObject({ username: Username, roles: roleSet() });
export type UserCreate = z.infer<typeof UserCreate>;

export const EnrolmentLink = z.strictObject({ url: z.string(), expiresAt: dateTime() });
export type EnrolmentLink = z.infer<typeof EnrolmentLink>;

export const UserCreated = z.strictObject({ user: User, enrolment: EnrolmentLink });
export type UserCreated = z.infer<typeof UserCreated>;

/** Path parameters of the user-management operations. */
export const UserIdParams = z.strictObject({ userId: z.uuid() });
export type UserIdParams = z.infer<typeof UserIdParams>;

/** Path parameters of `endMySession`. */
export const SessionIdParams = z.strictObject({ sessionId: z.uuid() });
export type SessionIdParams = z.infer<typeof SessionIdParams>;

/** Path parameters of `deletePasskey`. */
export const PasskeyIdParams = z.strictObject({ passkeyId: z.uuid() });
export type PasskeyIdParams = z.infer<typeof PasskeyIdParams>;

/** Where to send the browser to sign in with the organisation's identity provider. */
export const OidcStart = z.strictObject({ authorizationUrl: z.url().max(4096) });
export type OidcStart = z.infer<typeof OidcStart>;

/** The authorization response the console's callback page received from the provider. */
export const OidcCallback = z.strictObject({
  code: z.string().min(1).max(2048),
  state: z.string().min(1).max(512),
  iss: z.string().max(2048).optional(),
});
export type OidcCallback = z.infer<typeof OidcCallback>;

export const OidcLocalFactor = z.strictObject({ code: OneTimeCode });
export type OidcLocalFactor = z.infer<typeof OidcLocalFactor>;

/** An identity at an OpenID provider: the ID token's `iss` and `sub`, compared exactly. */
export const OidcIdentity = z.strictObject({ issuer: z.url().max(2048), subject: z.string().min(1).max(255) });
export type OidcIdentity = z.infer<typeof OidcIdentity>;
