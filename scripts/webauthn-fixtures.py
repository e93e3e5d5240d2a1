#!/usr/bin/env python3
"""WebAuthn ceremonies made independently of Stepup (the `cryptography` package signs, python-fido2 encodes) and
judged by a second implementation, Yubico's python-fido2 `Fido2Server`: a registration and an assertion it accepts,
and tampered ones it refuses. Writes them with python-fido2's verdicts as JSON; Stepup's relying party must reach
the same verdict on each (Tests/StepupWebAuthnTests/CrossCheckTests.swift reads the committed copy).

    python3 scripts/webauthn-fixtures.py Tests/StepupWebAuthnTests/Fixtures/python-fido2.json   # rewrite
    python3 scripts/webauthn-fixtures.py --check Tests/StepupWebAuthnTests/Fixtures/python-fido2.json  # re-judge
"""
import base64, hashlib, json, os, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.cose import ES256
from fido2.server import Fido2Server
from fido2.webauthn import (AttestedCredentialData, AuthenticatorData, PublicKeyCredentialRpEntity,
                            PublicKeyCredentialUserEntity, UserVerificationRequirement)

RP_ID, ORIGIN = "bank.example", "https://bank.example"
FLAGS_UP_UV_BE_BS = 0x01 | 0x04 | 0x08 | 0x10


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def server():
    return Fido2Server(PublicKeyCredentialRpEntity(name="Stepup Bank", id=RP_ID), verify_origin=lambda o: o == ORIGIN)


def client_data(kind, challenge, origin=ORIGIN):
    return json.dumps({"type": kind, "challenge": b64(challenge), "origin": origin, "crossOrigin": False},
                      separators=(",", ":")).encode()


def make(seed):
    """One credential and its ceremonies; `seed` picks the key so the file is the same each run."""
    key = ec.derive_private_key(int.from_bytes(hashlib.sha256(seed).digest(), "big") % (2**255), ec.SECP256R1())
    credential_id = hashlib.sha256(seed + b"id").digest()[:16]
    aaguid = bytes(16)
    attested = AttestedCredentialData.create(aaguid, credential_id, ES256.from_cryptography_key(key.public_key()))
    rp_hash = hashlib.sha256(RP_ID.encode()).digest()
    challenge = hashlib.sha256(seed + b"challenge").digest()

    def registration(flags=FLAGS_UP_UV_BE_BS | 0x40, fmt="none", origin=ORIGIN, rp=rp_hash, kind="webauthn.create"):
        client = client_data(kind, challenge, origin)
        auth = bytes(AuthenticatorData.create(rp, flags, 0, bytes(attested)))
        statement = {}
        if fmt == "packed":
            signature = key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
            statement = {"alg": -7, "sig": signature}
        attestation = cbor.encode({"fmt": fmt, "attStmt": statement, "authData": auth})
        return {"clientDataJSON": b64(client), "attestationObject": b64(attestation)}

    def assertion(flags=FLAGS_UP_UV_BE_BS, counter=1, origin=ORIGIN, rp=rp_hash, tamper=False):
        client = client_data("webauthn.get", challenge, origin)
        auth = bytes(AuthenticatorData.create(rp, flags, counter))
        signature = bytearray(key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256())))
        if tamper:
            signature[-1] ^= 1
        return {"clientDataJSON": b64(client), "authenticatorData": b64(auth), "signature": b64(bytes(signature))}

    return attested, challenge, registration, assertion


def judge_registration(challenge, response):
    s = server()
    _, state = s.register_begin(PublicKeyCredentialUserEntity(name="bob", id=b"bob", display_name="Bob"),
                                user_verification=UserVerificationRequirement.REQUIRED, challenge=challenge)
    attestation = cbor.decode(unb64(response["attestationObject"]))
    credential_id = AuthenticatorData(attestation["authData"]).credential_data.credential_id
    try:
        s.register_complete(state, {"id": b64(credential_id), "rawId": b64(credential_id), "type": "public-key",
                                    "response": response, "clientExtensionResults": {}})
        return True
    except Exception:
        return False


def judge_assertion(challenge, attested, response):
    s = server()
    _, state = s.authenticate_begin([attested], user_verification=UserVerificationRequirement.REQUIRED, challenge=challenge)
    try:
        s.authenticate_complete(state, [attested], {
            "id": b64(attested.credential_id), "rawId": b64(attested.credential_id), "type": "public-key",
            "response": response, "clientExtensionResults": {}})
        return True
    except Exception:
        return False


def fixtures():
    attested, challenge, registration, assertion = make(b"stepup-cross-check")
    other_rp = hashlib.sha256(b"evil.example").digest()
    cases = [
        ("registration none", "registration", registration(), None),
        ("registration packed self", "registration", registration(fmt="packed"), None),
        ("registration on another origin", "registration", registration(origin="https://bank.example.evil"), "webauthn_origin_mismatch"),
        ("registration for another RP", "registration", registration(rp=other_rp), "webauthn_rp_mismatch"),
        ("registration without user verification", "registration", registration(flags=0x01 | 0x40), "webauthn_user_not_verified"),
        ("registration typed as an assertion", "registration", registration(kind="webauthn.get"), "webauthn_type_mismatch"),
        ("assertion", "assertion", assertion(), None),
        ("assertion with a tampered signature", "assertion", assertion(tamper=True), "webauthn_signature_invalid"),
        ("assertion on another origin", "assertion", assertion(origin="https://bank-example.evil"), "webauthn_origin_mismatch"),
        ("assertion for another RP", "assertion", assertion(rp=other_rp), "webauthn_rp_mismatch"),
        ("assertion without user verification", "assertion", assertion(flags=0x01), "webauthn_user_not_verified"),
    ]
    out = []
    for name, kind, response, refusal in cases:
        accepted = judge_registration(challenge, response) if kind == "registration" else judge_assertion(challenge, attested, response)
        out.append({"name": name, "ceremony": kind, "response": response, "pythonFido2Accepts": accepted, "refusal": refusal})
    return {"rpId": RP_ID, "origin": ORIGIN, "challenge": b64(challenge),
            "credentialPublicKeyCOSE": b64(cbor.encode(dict(attested.public_key))), "credentialId": b64(attested.credential_id),
            "cases": out}


def main():
    check = "--check" in sys.argv
    path = [a for a in sys.argv[1:] if a != "--check"][0]
    made = fixtures()
    for case in made["cases"]:
        if case["pythonFido2Accepts"] != (case["refusal"] is None):
            sys.exit(f"webauthn-fixtures: python-fido2 {'accepted' if case['pythonFido2Accepts'] else 'refused'} {case['name']!r}")
    if check:
        # The committed cases must still be judged as python-fido2 judges them now.
        committed = json.load(open(path))
        _, challenge, _, _ = make(b"stepup-cross-check")
        attested = AttestedCredentialData.create(bytes(16), unb64(committed["credentialId"]),
                                                 ES256(cbor.decode(unb64(committed["credentialPublicKeyCOSE"]))))
        for case in committed["cases"]:
            verdict = (judge_registration(challenge, case["response"]) if case["ceremony"] == "registration"
                       else judge_assertion(challenge, attested, case["response"]))
            if verdict != case["pythonFido2Accepts"]:
                sys.exit(f"webauthn-fixtures: python-fido2 now judges {case['name']!r} otherwise")
        print(f"webauthn-fixtures: python-fido2 judges all {len(committed['cases'])} committed ceremonies as recorded")
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(made, f, indent=1)
        f.write("\n")
    print(f"webauthn-fixtures: {len(made['cases'])} ceremonies written to {path}")


if __name__ == "__main__":
    main()
