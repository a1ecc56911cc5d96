"""Typed inputs of the services' entry points: each rule about what a request may carry is
stated here once. The REST API gets them validated by FastAPI (a broken rule answers 400
INVALID_REQUEST with the rule's Korean message, ``payapp/api/errors.py``); the pages build them
with ``parse`` from a URL's or a form's values and get the same ``ServiceError``.

Rules that answer with another code (a product not on sale, a quantity over 99 once a cart's
lines are added up, a refund over the balance) stay in the service that knows the data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from .errors import Code, ServiceError

RULE = "payapp_rule"  # the error type of a broken rule: its message is the Korean one below
MAX_AMOUNT = 10**12 - 1
MAX_LINES = 20
MAX_ID = 2**31 - 1  # PostgreSQL integer; SQLite would overflow at 2**63
MAX_QUANTITY = 99
ORDER_ID_RE = re.compile(r"[A-Za-z0-9_-]{6,64}")
AMOUNT_RE = re.compile(r"[0-9]{1,12}")
AMOUNT_RULE = "amount는 0 이상의 정수(원), 최대 12자리입니다."
KEY_PATTERN = r"^[A-Za-z0-9_-]+$"


def rule(message: str) -> WrapValidator:
    """Breaking any constraint of the field reads as ``message``; a rule of a part inside it
    (a cart line in the cart) keeps its own, more precise message."""

    def check(value: object, handler: ValidatorFunctionWrapHandler) -> object:
        try:
            return handler(value)
        except ValidationError as exc:
            inner = next((e["msg"] for e in exc.errors() if e["type"] == RULE), message)
            raise PydanticCustomError(RULE, inner) from None

    return WrapValidator(check)


def broken(message: str) -> PydanticCustomError:
    return PydanticCustomError(RULE, message)


def explain(errors: Sequence[ErrorDetails]) -> str:
    """The message of a failed validation: the first broken rule's Korean text, or (a field
    missing, a body that is no object) where and what, after a Korean lead."""
    for err in errors:
        if err["type"] == RULE:
            return err["msg"]
    problems = []
    for err in errors[:5]:
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return "요청이 올바르지 않습니다. " + "; ".join(problems)


def whole_won(value: object) -> int | None:
    """An amount in whole won: an int, or a string of ASCII digits (Toss's redirect sends a
    string); at most 12 digits. "²" or "１２" are digits to ``str.isdigit`` but not amounts."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_AMOUNT:
        return value
    if isinstance(value, str) and AMOUNT_RE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _amount(value: object) -> int:
    amount = whole_won(value)
    if amount is None:
        raise broken(AMOUNT_RULE)
    return amount


def valid_order_id(order_id: object) -> bool:
    return isinstance(order_id, str) and ORDER_ID_RE.fullmatch(order_id) is not None


AMOUNT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": MAX_AMOUNT},
        {"type": "string", "pattern": r"^[0-9]{1,12}$"},
    ]
}
Amount = Annotated[int, PlainValidator(_amount), WithJsonSchema(AMOUNT_SCHEMA)]
OrderId = Annotated[
    StrictStr, Field(min_length=6, max_length=64, pattern=KEY_PATTERN), rule("orderId가 올바르지 않습니다.")
]


class Input(BaseModel):
    """A typed input; ``parse`` is how a page (not FastAPI) builds one."""

    @classmethod
    def parse(cls, data: object) -> Self:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ServiceError.of(Code.INVALID_REQUEST, explain(exc.errors())) from None


class PrepareLine(BaseModel):
    """One cart line. Strict integers (``"1"`` or ``1.0`` is no id); the ranges are documented
    here and checked by the service, which answers PRODUCT_NOT_AVAILABLE / INVALID_QUANTITY."""

    productId: StrictInt = Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})
    quantity: StrictInt = Field(1, json_schema_extra={"minimum": 1, "maximum": MAX_QUANTITY})


Line = Annotated[PrepareLine, rule("items의 각 항목은 {productId: 정수, quantity: 정수} 입니다.")]


class PrepareIn(Input):
    items: Annotated[
        list[Line],
        Field(min_length=1, max_length=MAX_LINES, description="[{productId, quantity}]"),
        rule(f"items는 1개 이상 {MAX_LINES}개 이하의 배열이어야 합니다."),
    ]


class ConfirmIn(Input):
    """What Toss's success redirect carries; ``amount`` may come as the redirect's string."""

    paymentKey: Annotated[
        StrictStr, Field(min_length=1, max_length=200, pattern=KEY_PATTERN), rule("paymentKey가 올바르지 않습니다.")
    ]
    orderId: OrderId
    amount: Amount


def _no_nul(text: str) -> str:
    if "\x00" in text:  # PostgreSQL text can't hold NUL: refused before any row or Toss call
        raise broken("환불 사유(cancelReason)에 NUL 문자는 쓸 수 없습니다.")
    return text


def _positive(amount: int) -> int:
    if amount <= 0:
        raise broken("환불 금액(cancelAmount)은 0보다 커야 합니다.")
    return amount


RefundAmount = Annotated[
    int,
    PlainValidator(_amount),
    AfterValidator(_positive),
    WithJsonSchema({"anyOf": [{**AMOUNT_SCHEMA["anyOf"][0], "minimum": 1}, AMOUNT_SCHEMA["anyOf"][1]]}),
]


class RefundAccountIn(BaseModel):
    """Where a deposited 가상계좌 is refunded (Toss's refundReceiveAccount)."""

    bank: Annotated[
        StrictStr,
        StringConstraints(strip_whitespace=True, min_length=2, max_length=20),
        Field(description="은행 코드(예: 20) 또는 이름(예: 우리)"),
        rule("은행(bank)은 은행 코드 또는 이름, 2자 이상 20자 이하입니다."),
    ]
    accountNumber: Annotated[
        StrictStr,
        StringConstraints(strip_whitespace=True, pattern=r"^\d{6,20}$"),
        Field(description="- 없이 숫자만"),
        rule("계좌번호(accountNumber)는 - 없이 숫자 6~20자리입니다."),
    ]
    holderName: Annotated[
        StrictStr,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
        rule("예금주(holderName)는 1자 이상 60자 이하입니다."),
    ]


class Credentials(Input):
    # Bounded before argon2 or the database see them; the finer rules (an address's form, the
    # password rule at sign-up) answer INVALID_EMAIL / INVALID_PASSWORD from accounts.
    email: Annotated[
        StrictStr,
        Field(min_length=3, max_length=254, json_schema_extra={"format": "email"}),
        rule("이메일 주소 형식이 올바르지 않습니다."),
    ]
    password: Annotated[StrictStr, Field(min_length=1, max_length=1024), rule("비밀번호를 입력해주세요 (1024자 이하).")]


class CancelIn(Input):
    """A refund: all that is left (``cancelAmount`` absent) or a part of it."""

    cancelReason: Annotated[
        StrictStr,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
        AfterValidator(_no_nul),
        rule("환불 사유(cancelReason)는 1자 이상 200자 이하입니다."),
    ]
    cancelAmount: RefundAmount | None = None
    refundReceiveAccount: RefundAccountIn | None = None  # required for a deposited 가상계좌
