"""The one way a payment job calls Toss: retries with back-off under a deadline, and what
Toss's errors mean for us.

Money rule here: an error Toss marks temporary (or no answer at all) is *unknown*, never a
refusal; the caller keeps the payment as it is and reconciliation finishes it. Only Toss's own
refusals end a payment or a refund.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from payapp.toss import TossError, TossPayment

from ..errors import Code, ServiceError

# Toss refusing *our* keys: the shop's configuration, not the buyer's card.
KEY_ERRORS = frozenset({"UNAUTHORIZED_KEY", "INCORRECT_BASIC_AUTH_FORMAT", "INVALID_API_KEY"})


async def call_toss(
    call: Callable[[float | None], Awaitable[TossPayment]],
    *,
    retries: int,
    backoff: float,
    deadline: float | None = None,
) -> TossPayment:
    """``call(timeout)`` until it answers; retryable errors are retried ``retries`` times.

    Raises Toss's refusal at once, and the last retryable error (``err.retryable``: the outcome
    is unknown) when the retries or the ``deadline`` (seconds from now) run out. ``timeout`` is
    what is left of the deadline (None without one).
    """
    loop = asyncio.get_running_loop()
    end = None if deadline is None else loop.time() + deadline
    last: TossError | None = None
    for attempt in range(retries + 1):
        left = None if end is None else end - loop.time()
        if left is not None and left <= 0.05:
            break
        try:
            return await call(left)
        except TossError as err:
            if not err.retryable:
                raise
            last = err
        pause = backoff * 2**attempt
        if attempt == retries or (end is not None and loop.time() + pause >= end):
            break
        await asyncio.sleep(pause)
    raise last or TossError("TIMEOUT", "토스페이먼츠 응답 시간 초과", None, True)


def refusal(err: TossError) -> ServiceError:
    """Toss's refusal as our API's error: its code and message, a 4xx (502 for anything else)."""
    status = err.http_status if err.http_status and 400 <= err.http_status < 500 else 502
    return ServiceError.passthrough(err.code, err.message, status)


def configuration_error() -> ServiceError:
    return ServiceError.of(Code.TOSS_CONFIGURATION_ERROR)
