"""Verifies a compact JWS with python3-jwcrypto, an implementation independent of the node's.

Reads {"jwks": {...}, "token": "...", "typ": "..."} on stdin; uses only the public JWKS; prints the
verified payload as JSON, or exits non-zero with the reason. With "decryptionKey" (a private JWK),
the token is first a compact JWE (ECDH-ES+A256KW, A256GCM only) to open with that key.
"""
import json
import sys

from jwcrypto import jwe, jwk, jws

request = json.load(sys.stdin)
if "decryptionKey" in request:
    envelope = jwe.JWE()
    envelope.allowed_algs = ["ECDH-ES+A256KW", "A256GCM"]
    envelope.deserialize(request["token"])
    if envelope.jose_header.get("cty") != "JWT":
        sys.exit("unexpected cty %r" % envelope.jose_header.get("cty"))
    private = {k: v for k, v in request["decryptionKey"].items() if k in ("kty", "crv", "x", "d")}
    envelope.decrypt(jwk.JWK(**private))
    request["token"] = envelope.payload.decode("utf-8")
# Keep only the members RFC 7517/8037 define: the node's extra members (purpose, validity) are
# information for Bridge peers, not for a generic JOSE library.
keys = [{k: v for k, v in key.items() if k in ("kty", "crv", "x", "kid", "use", "alg")} for key in request["jwks"]["keys"]]
keyset = jwk.JWKSet.from_json(json.dumps({"keys": keys}))

token = jws.JWS()
token.deserialize(request["token"])
header = token.jose_header
if header.get("alg") != "EdDSA":
    sys.exit("unexpected alg %r" % header.get("alg"))
if header.get("typ") != request["typ"]:
    sys.exit("unexpected typ %r" % header.get("typ"))
key = keyset.get_key(header["kid"])
if key is None:
    sys.exit("kid not in the published JWKS")
token.verify(key, alg="EdDSA")
print(json.dumps({"kid": header["kid"], "payload": json.loads(token.payload)}))
