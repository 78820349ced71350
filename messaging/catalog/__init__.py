"""Guest message texts, one catalog per supported language."""

from __future__ import annotations

from collections.abc import Mapping

from messaging.catalog import de, en, es, fr, it, nl
from messaging.catalog.schema import LanguageCatalog

CATALOGS: Mapping[str, LanguageCatalog] = {
    "en": en.CATALOG,
    "nl": nl.CATALOG,
    "de": de.CATALOG,
    "fr": fr.CATALOG,
    "es": es.CATALOG,
    "it": it.CATALOG,
}

__all__ = ["CATALOGS", "LanguageCatalog"]
