"""The one error type services raise: a 4xx-able ``{code, message}``."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, headers: dict[str, str] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def not_found(message: str = "결제 정보를 찾을 수 없습니다.") -> ServiceError:
    return ServiceError("PAYMENT_INFO_NOT_FOUND", message, 404)


def amount_mismatch() -> ServiceError:
    return ServiceError("PAYMENT_AMOUNT_MISMATCH", "결제 금액이 주문 금액과 일치하지 않습니다.", 400)


def forbidden(message: str = "권한이 없습니다.") -> ServiceError:
    return ServiceError("FORBIDDEN", message, 403)
