"""Render the privacy messages (export and erasure links) in the guest's language."""

from __future__ import annotations

from html import escape

from messaging.catalog.privacy import PRIVACY_CATALOG, PrivacyKind
from messaging.render import RenderedMessage, pick_language


def render_privacy(
    kind: PrivacyKind, *, language: str | None, url: str, days: int
) -> RenderedMessage:
    """The email (text and HTML) carrying one signed privacy link; no greeting by name.

    The message is sent to whoever typed the address, so it repeats nothing we hold.
    """
    lang = pick_language(language)
    text = PRIVACY_CATALOG[kind][lang]
    paragraphs = [p.format(days=days) for p in text.body]
    plain = "\n\n".join([*paragraphs, f"{text.link}: {url}"]) + "\n"
    html = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
        f"<title>{escape(text.subject)}</title></head>\n<body>\n"
        + "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
        + f'<p><a href="{escape(url, quote=True)}">{escape(text.link)}</a></p>\n</body>\n</html>\n'
    )
    return RenderedMessage(
        language=lang, subject=text.subject, text=plain, html=html, sms=f"{text.link}: {url}"
    )
