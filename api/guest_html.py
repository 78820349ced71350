"""The small HTML pieces of the guest pages (reservation and waitlist links in messages),
and the words they share with the messages (party, dates and times by babel)."""

from __future__ import annotations

import html
from datetime import date, datetime, time

from babel.dates import format_date, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse

from messaging.catalog import CATALOGS
from messaging.render import pick_language


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


def status_html(pattern: str, code: str, label: str) -> str:
    """ "Status: {status}." with the status in words, its code kept for a site's scripts."""
    span = f'<span data-status="{html.escape(code)}">{html.escape(label)}</span>'
    return html.escape(pattern).format(status=span)


def notice_html(said: str | None) -> list[str]:
    """What the last action did (or why not), as a line of the page; nothing if nothing."""
    return [f"<p><i>{html.escape(said)}</i></p>"] if said else []


def browser_language(request: Request) -> str:
    """The supported language the browser asks for first (a page with no booking)."""
    return pick_language(request.headers.get("accept-language"))


def party(size: int, lang: str) -> str:
    """ "2 people" in the language of the messages."""
    labels = CATALOGS[lang].labels
    return labels["party_one"] if size == 1 else labels["party_other"].format(n=size)


def long_day(day: date | datetime, lang: str) -> str:
    """ "Saturday, 5 December 2026", in the language's own words and order."""
    return format_date(day, "full", locale=lang)


def short_time(moment: time | datetime, lang: str) -> str:
    """ "19:00" (or "7:00 PM"), as the language writes a time."""
    return format_time(moment, "short", locale=lang)


def day_and_time(local: datetime, lang: str) -> str:
    """ "Saturday, 5 December 2026 at 19:00", as the messages say it."""
    return (
        CATALOGS[lang]
        .labels["datetime"]
        .format(date=long_day(local, lang), time=short_time(local, lang))
    )
