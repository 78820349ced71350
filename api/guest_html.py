"""The small HTML pieces of the guest pages (reservation and waitlist links in messages)."""

from __future__ import annotations

import html

from fastapi.responses import HTMLResponse


def page(title: str, body: str, *, status_code: int = 200, lang: str = "en") -> HTMLResponse:
    """A plain page that reads well on a phone, in the language `lang`."""
    return HTMLResponse(
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="font-family: sans-serif; max-width: 36rem; margin: 3rem auto">{body}'
        "</body></html>",
        status_code=status_code,
    )


def post_button(path: str, token: str, label: str) -> str:
    """A form that POSTs the manage token to `path`: links never act, buttons do."""
    return (
        f'<form method="post" action="{html.escape(path)}">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
        f"<button>{html.escape(label)}</button></form>"
    )
