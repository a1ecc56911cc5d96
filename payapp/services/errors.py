"""The one error type services raise: a 4xx-able ``{code, message}``, made from the catalog."""

from __future__ import annotations

from collections.abc import Mapping

from .error_catalog import CATALOG, Code

__all__ = ["Code", "ServiceError", "amount_mismatch", "forbidden", "not_found"]


class ServiceError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, headers: Mapping[str, str] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.headers = dict(headers or {})

    @classmethod
    def of(
        cls, code: Code, message: str | None = None, *, headers: Mapping[str, str] | None = None, **values: object
    ) -> ServiceError:
        """The catalog's error ``code`` with its status; ``message`` (a more precise Korean text)
        replaces the catalog's, and ``values`` fill its named fields."""
        spec = CATALOG[code]
        text = message or spec.message
        return cls(code.value, text.format(**values) if values else text, spec.status, headers)

    @classmethod
    def passthrough(cls, code: str, message: str, status: int) -> ServiceError:
        """Toss's refusal (its own code and message), not one of the catalog's."""
        return cls(code, message, status)

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def not_found(message: str | None = None) -> ServiceError:
    return ServiceError.of(Code.PAYMENT_INFO_NOT_FOUND, message)


def amount_mismatch() -> ServiceError:
    return ServiceError.of(Code.PAYMENT_AMOUNT_MISMATCH)


def forbidden(message: str | None = None) -> ServiceError:
    return ServiceError.of(Code.FORBIDDEN, message)
