"""Where the clinic keeps its files when nobody says otherwise (no Django import here)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

APP_DIR_NAME = "sciatica-care"


def default_data_dir() -> Path:
    """The user's data folder: `$SCIATICA_CARE_DATA_DIR`, else the platform's per-user data location."""
    explicit = os.environ.get("SCIATICA_CARE_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_DIR_NAME


def ensure_secret_key(data_dir: Path) -> str:
    """Read the clinic's secret key from `data_dir/secret_key`, creating it (mode 0600) on first use."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key
