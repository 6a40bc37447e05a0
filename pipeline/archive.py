"""Content-addressed archive of raw report bytes.

Every file the product ever reads is stored once, under its SHA-256, before anything
else happens to it: portals delete reports, so the archive is the record.
Layout: <root>/<sha[:2]>/<sha><ext>. The extension is kept only for people browsing
the folder; the hash is the identity.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

_EXT_RE = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    sha256: str
    path: Path
    size: int


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_extension(name: str) -> str:
    """The file extension of `name`, lower-cased, only if it is short and plain."""
    ext = os.path.splitext(name)[1].lower()
    return ext if _EXT_RE.match(ext) else ""


def archive_path(root: Path, sha256: str, ext: str = "") -> Path:
    return root / sha256[:2] / f"{sha256}{ext}"


def store(root: str | Path, data: bytes, name: str = "") -> ArchivedFile:
    """Store bytes once by content hash; an existing copy is left untouched.

    The write goes to a temporary file in the same folder and is renamed into place,
    so a crash never leaves a half-written file under a valid hash.
    """
    root = Path(root)
    digest = sha256_bytes(data)
    target = archive_path(root, digest, safe_extension(name))
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return ArchivedFile(sha256=digest, path=target, size=len(data))
