"""The clinic's password hasher: Argon2id with a lower, still sound, memory cost than Django's default.

Django's `Argon2PasswordHasher` uses memory_cost=102400 KiB (100 MiB), time_cost=2, parallelism=8: every login
allocates ~100 MiB, so 20 practitioners logging in at once took the server to ~870 MiB resident. OWASP's
Password Storage Cheat Sheet ("Argon2id", current minimum configuration) recommends m=19456 (19 MiB), t=2, p=1
— the first of its equivalent settings — which is what this uses.
https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id

The algorithm name stays "argon2", so hashes made with Django's defaults keep verifying (the parameters are read
from the stored hash), and `must_update` (different parameters) makes Django re-hash them with these on the next
successful login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class ClinicArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, OWASP minimum: 19 MiB of memory, 2 passes, 1 lane."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
