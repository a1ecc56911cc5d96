"""Toss error catalog: code → HTTP status and the message in Korean and English.

Every code of the confirm, lookup and cancel tables of Toss's error-code reference is here
at its documented status (``/work/shared/reference/toss-api.md`` §4.2–§4.4, plus the few
codes other paths need, e.g. the transactions list's ``INVALID_TRANSACTION_KEY``). The Korean
wording is Toss's where the reference quotes it; the rest, and every English text (what the
API gives with ``Accept-Language: en-US``), is ours: clients must match on ``code``, never on
``message``.
"""

from __future__ import annotations

from .error_codes import REQUEST_AND_PAYMENT_CODES, ErrorSpec
from .error_codes_cancel import CANCEL_AND_FLOW_CODES
from .jsontypes import ErrorBody

# The data lives beside this file in two parts (error_codes, error_codes_cancel), kept apart
# so that neither outgrows one reading; a code appears in exactly one of them.
CATALOG: dict[str, ErrorSpec] = {**REQUEST_AND_PAYMENT_CODES, **CANCEL_AND_FLOW_CODES}


def message(code: str, english: bool = False) -> str:
    spec = CATALOG.get(code)
    if spec is None:
        return code
    return spec.en if english else spec.ko


class SandboxError(Exception):
    """An error the sandbox answers with ``{code, message}`` at Toss's HTTP status.

    ``detail`` (Korean) and ``detail_en`` (English) say which field was wrong; the message
    carries the one in the language the request asked for. A detail given only in Korean
    is left out of an English message rather than mixing languages.
    """

    def __init__(self, code: str, detail: str | None = None, status: int | None = None, detail_en: str | None = None):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.detail_en = detail_en
        spec = CATALOG.get(code)
        self.status = status or (spec.status if spec else 400)

    def body(self, english: bool = False) -> ErrorBody:
        text = message(self.code, english)
        detail = self.detail_en if english else self.detail
        if detail:
            text = f"{text} ({detail})"
        return {"code": self.code, "message": text}
