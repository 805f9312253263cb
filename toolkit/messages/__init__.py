"""The message catalogue: every user-facing sentence, by id, in Chinese (default) and English.

Catalogue files live in ``messages/<lang>/*.toml``; each top-level table is a namespace, so
``[rule] A1 = "…"`` is the id ``rule.A1``. Files of one language are merged; an id defined
twice is a bug and raises at load time.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANG = "zh"
_HERE = Path(__file__).parent
_current_lang: str | None = None


def set_language(lang: str | None) -> None:
    """Set the language for this process (from --lang); None falls back to TOOLKIT_LANG."""
    global _current_lang
    _current_lang = normalise_language(lang) if lang else None


def normalise_language(lang: str) -> str:
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else DEFAULT_LANG


def current_language() -> str:
    if _current_lang:
        return _current_lang
    env = os.environ.get("TOOLKIT_LANG")
    return normalise_language(env) if env else DEFAULT_LANG


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str], origin: str) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out, origin)
        elif isinstance(value, str):
            if full in out:
                raise RuntimeError(f"message id {full!r} defined twice (second time in {origin})")
            out[full] = value
        else:
            raise RuntimeError(f"message {full!r} in {origin} is not a string")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted id."""
    out: dict[str, str] = {}
    for path in sorted((_HERE / lang).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), out, path.name)
    return out


@dataclass(frozen=True)
class Message:
    """A message id with parameters, rendered late: in the language of whoever shows it."""

    message_id: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return render(self.message_id, lang=lang, **self.params)


def has_message(message_id: str, lang: str | None = None) -> bool:
    return message_id in catalogue(lang or current_language())


def render(message_id: str, /, lang: str | None = None, **params: Any) -> str:
    """The sentence for ``message_id`` in ``lang`` with ``params`` filled in.

    A missing id in the chosen language falls back to Chinese, then to the id itself, so a
    gap in a translation never hides a finding.
    """
    lang = lang or current_language()
    template = catalogue(lang).get(message_id) or catalogue(DEFAULT_LANG).get(message_id)
    if template is None:
        return message_id
    params = {k: v.render(lang) if isinstance(v, Message) else v for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
