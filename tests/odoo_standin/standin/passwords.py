"""passlib-compatible pbkdf2_sha512 hashes ("$pbkdf2-sha512$rounds$salt$hash", ab64)."""
import base64
import hashlib
import hmac
import os

CREATE_ROUNDS = 1000  # kept low for test speed; any round count verifies


def _ab64_encode(data):
    return base64.b64encode(data).decode().rstrip("=").replace("+", ".")


def _ab64_decode(text):
    text = text.replace(".", "+")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password, rounds=CREATE_ROUNDS):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds, 64)
    return f"$pbkdf2-sha512${rounds}${_ab64_encode(salt)}${_ab64_encode(digest)}"


def is_hashed(value):
    return value is not None and value.startswith("$pbkdf2-sha512$")


def verify(password, stored):
    if not stored:
        return False
    if not is_hashed(stored):
        return hmac.compare_digest(stored, password)
    try:
        _, scheme, rounds, salt, digest = stored.split("$")
        expected = _ab64_decode(digest)
        actual = hashlib.pbkdf2_hmac("sha512", password.encode(), _ab64_decode(salt), int(rounds), len(expected))
        return scheme == "pbkdf2-sha512" and hmac.compare_digest(actual, expected)
    except (ValueError, TypeError):
        return False
