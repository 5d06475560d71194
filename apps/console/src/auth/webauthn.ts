/**
 * The browser side of passkeys: the node sends WebAuthn options in their JSON form and takes the
 * credential back in its JSON form (WebAuthn Level 3), so the console converts nothing itself.
 */
type Json = Record<string, unknown>;

export class PasskeyCancelled extends Error {
  override readonly name = 'PasskeyCancelled';
}

interface PublicKeyCredentialStatics {
  parseCreationOptionsFromJSON(options: Json): PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON(options: Json): PublicKeyCredentialRequestOptions;
}

const statics = () => PublicKeyCredential as unknown as PublicKeyCredentialStatics;

export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function' && typeof (window.PublicKeyCredential as unknown as Partial<PublicKeyCredentialStatics>).parseCreationOptionsFromJSON === 'function';
}

export async function createPasskey(publicKey: Json): Promise<Json> {
  const credential = await guard(navigator.credentials.create({ publicKey: statics().parseCreationOptionsFromJSON(publicKey) }));
  return (credential as unknown as { toJSON(): Json }).toJSON();
}

export async function usePasskey(publicKey: Json): Promise<Json> {
  const credential = await guard(navigator.credentials.get({ publicKey: statics().parseRequestOptionsFromJSON(publicKey) }));
  return (credential as unknown as { toJSON(): Json }).toJSON();
}

async function guard(pending: Promise<Credential | null>): Promise<Credential> {
  try {
    const credential = await pending;
    if (!credential) throw new PasskeyCancelled();
    return credential;
  } catch (error) {
    // NotAllowedError: the person cancelled, or the authenticator timed out; the same to the person.
    if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'AbortError')) throw new PasskeyCancelled();
    throw error;
  }
}
