"""Strict parsing of environment variables for settings.

A bad value stops start-up with a message that names the variable and says what
it should look like, rather than running with a half-understood configuration.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    raw = env_str(name)
    if raw and not raw.startswith(tuple(f"{s}://" for s in schemes)):
        wanted = " or ".join(f"{s}://..." for s in schemes)
        raise ImproperlyConfigured(f"{name} must look like {wanted}, not {raw!r}.")
    return raw


def data_dir(path: Path, name: str = "DATA_DIR") -> Path:
    """A folder for the SQLite file or the generated key, made if it is missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ImproperlyConfigured(
            f"{name} {str(path)!r} does not exist and cannot be made ({e.strerror})."
        ) from None
    return path


def secret_key(path: Path, *, shared_by: list[str]) -> str:
    """SECRET_KEY from the environment, or one generated once for this install.

    A single-machine install keeps its own random key in a file beside the
    database, so a fresh checkout runs without any setup and no two installs
    share a key. With a shared database or Redis (named in ``shared_by``) there
    may be several web nodes, and a node that made its own key would reject the
    sessions and links of every other: there the key must be set.
    """
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
        return key
    if shared_by:
        raise ImproperlyConfigured(
            f"SECRET_KEY must be set when {' and '.join(shared_by)}: every web node must "
            "sign sessions and links with the same key, so none may make its own. Set "
            "SECRET_KEY to the same random text of at least 50 characters on every node "
            "and worker, for example the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(60))'."
        )
    data_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(60)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
