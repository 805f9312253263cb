"""The one exception type for failures a user must act on."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A failure caused by the input or the command line, rendered from the message catalogue.

    The CLI turns it into a message and exit code 2; it never carries a traceback to the user.
    """

    def __init__(self, message_id: str, **params: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params

    def render(self, lang: str | None = None) -> str:
        from toolkit.messages import render

        return render(self.message_id, lang=lang, **self.params)
