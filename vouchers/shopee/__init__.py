"""Temporary alias while the Shopee client moves to the top-level `shopee` package: the old
import paths resolve to the same modules (same classes), so nothing is imported twice."""

import sys

import shopee
from shopee import api, client, config, errors, redaction, signing

for _module in (api, client, config, errors, redaction, signing):
    sys.modules[f"{__name__}.{_module.__name__.rsplit('.', 1)[1]}"] = _module
__all__ = ["api", "client", "config", "errors", "redaction", "shopee", "signing"]
