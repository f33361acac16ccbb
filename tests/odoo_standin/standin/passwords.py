"""passlib-compatible pbkdf2_sha512 hashes: "$pbkdf2-sha512$ROUNDS$SALT$CHECKSUM".

Ballast writes these hashes straight into res_users with SQL, so the format must be exactly
passlib's: salt and checksum in passlib's "ab64" (standard base64 alphabet, '.' for '+', no
padding), a 16-byte salt and a 64-byte checksum. The self-test checks both directions against
passlib itself.
"""
import base64
import hashlib
import hmac
import os
import re

# Odoo 18 hashes with 600000 rounds; the stand-in creates cheaper hashes so that tests which
# create users stay fast. Verification accepts any round count, as passlib does.
CREATE_ROUNDS = 1000
ODOO_ROUNDS = 600000
_MCF = re.compile(r"^\$[^$]+\$[^$]+\$.")  # what res.users.init treats as "already hashed"


def ab64_encode(data):
    return base64.b64encode(data).decode("ascii").rstrip("=").replace("+", ".")


def ab64_decode(text):
    text = text.replace(".", "+")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def hash_password(password, rounds=CREATE_ROUNDS):
    salt = os.urandom(16)
    checksum = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, rounds, 64)
    return f"$pbkdf2-sha512${rounds}${ab64_encode(salt)}${ab64_encode(checksum)}"


def is_plaintext(stored):
    """True for a value res.users.init would hash: set with SQL by an administrator."""
    return stored is not None and not _MCF.match(stored)


def verify(password, stored):
    """Checks a password like Odoo's CryptContext(['pbkdf2_sha512', 'plaintext'])."""
    if not password or not stored:
        return False
    if is_plaintext(stored):
        return hmac.compare_digest(stored.encode("utf-8"), password.encode("utf-8"))
    parts = stored.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != "pbkdf2-sha512":
        return False
    try:
        rounds = int(parts[2])
        salt, expected = ab64_decode(parts[3]), ab64_decode(parts[4])
    except ValueError:
        return False
    if rounds < 1 or not expected:
        return False
    actual = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, rounds, len(expected))
    return hmac.compare_digest(actual, expected)


def needs_update(stored):
    # Real Odoo also replaces any pbkdf2 hash whose round count is not 600000 (passlib's
    # "rounds" sets min, max and default); the stand-in only upgrades plaintext, because its
    # own hashes use fewer rounds on purpose (see README.md).
    return is_plaintext(stored)
