"""The person-key secret in every form a leak would take: the secret, its hex, and the RFC 2104
key blocks derived from it (raw and hex), which are as powerful as the secret itself. The secret
tests of the nights and of the dbt docs look for all of them."""

from __future__ import annotations

import hashlib

BLOCK_SIZE = 64  # SHA-256's block, the size of HMAC's key pads


def secret_forms(secret: bytes) -> dict[str, bytes]:
    key = (hashlib.sha256(secret).digest() if len(secret) > BLOCK_SIZE else secret).ljust(BLOCK_SIZE, b"\0")
    ipad, opad = bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
    forms = {"secret": secret, "secret hex": secret.hex().encode()}
    for name, block in (("ipad", ipad), ("opad", opad)):
        forms[name] = block
        forms[f"{name} hex"] = block.hex().encode()
        forms[f"{name} HEX"] = block.hex().upper().encode()
    return forms
