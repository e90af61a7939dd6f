"""Backup files: an encrypted wrapper around a SQLite copy, and the file modes the data folder keeps.

Encrypted backups use `cryptography`'s Fernet (AES-128-CBC with HMAC-SHA256, authenticated) with a key derived
from a passphrase by scrypt (n=2**15, r=8, p=1: ~32 MiB, a tenth of a second). The file is a magic line, one JSON
line naming the key derivation and its random salt, then the Fernet token. A wrong passphrase or a changed byte
fails the HMAC: nothing is decrypted.

No Django import here.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

MAGIC = b"SCIATICA-CARE-ENCRYPTED-BACKUP 1\n"
SQLITE_MAGIC = b"SQLite format 3\x00"
PASSPHRASE_ENV = "SCIATICA_CARE_BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
MIN_PASSPHRASE = 10
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}

DIR_MODE = 0o700
FILE_MODE = 0o600
# The files the clinic keeps in its data folder: the database (and its WAL and shared-memory files), the key.
PRIVATE_FILES = ("clinic.sqlite3", "clinic.sqlite3-wal", "clinic.sqlite3-shm", "clinic.sqlite3-journal",
                 "secret_key")


class WrongPassphrase(ValueError):
    """The passphrase does not open this backup (or the file was changed)."""


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def encrypt(data: bytes, passphrase: str) -> bytes:
    from cryptography.fernet import Fernet

    salt = secrets.token_bytes(16)
    header = {"kdf": "scrypt", **_SCRYPT, "salt": base64.b64encode(salt).decode("ascii"), "cipher": "fernet"}
    token = Fernet(_key(passphrase, salt, **_SCRYPT)).encrypt(data)
    return MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n" + token


def decrypt(blob: bytes, passphrase: str) -> bytes:
    from cryptography.fernet import Fernet, InvalidToken

    if not is_encrypted(blob):
        raise ValueError("not an encrypted Sciatica Care backup")
    header_line, _, token = blob[len(MAGIC):].partition(b"\n")
    try:
        header = json.loads(header_line)
        if header.get("kdf") != "scrypt" or header.get("cipher") != "fernet":
            raise ValueError
        key = _key(passphrase, base64.b64decode(header["salt"]), int(header["n"]), int(header["r"]),
                   int(header["p"]))
    except (ValueError, KeyError, TypeError):
        raise ValueError("the encrypted backup's header is damaged") from None
    try:
        return Fernet(key).decrypt(token)
    except InvalidToken:
        raise WrongPassphrase("wrong passphrase, or the file was changed: it cannot be decrypted") from None


def write_private(path: Path, data: bytes) -> None:
    """Write a new file readable by its owner only (refuses to overwrite)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def secure_data_dir(data_dir: Path) -> None:
    """The data folder 0700 and the clinic's files in it 0600: set when created, corrected at every start."""
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if os.name != "posix":
        return
    os.chmod(data_dir, DIR_MODE)
    for name in PRIVATE_FILES:
        path = data_dir / name
        if path.exists():
            os.chmod(path, FILE_MODE)
