"""/success's confirm-and-poll loop (ReceiptState.confirm) with a scripted payment service: what
the page shows each round when our keys are refused, when our own side fails, and when Toss
refuses. The browser flows are in test_wrong_keys.py and test_secrets_and_pending.py."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

import payapp.state.payment as receipt
from payapp.schemas import ConfirmResult, PaymentView
from payapp.services.errors import ServiceError
from payapp.services.inputs import ConfirmIn
from payapp.state.auth import AuthState
from payapp.state.payment import ReceiptState
from payapp.state.shop import ShopState

ORDER = "ord_polling_test_1"


def view(status: str) -> PaymentView:
    return PaymentView(
        orderId=ORDER,
        paymentKey="pay_1",
        orderName="텀블러",
        amount=12000,
        balanceAmount=12000,
        method="카드",
        status=status,
        approvedAt=None,
    )


class FakeState:
    """What ``confirm`` touches of a Reflex state; records the phase each ``async with`` leaves."""

    def __init__(self) -> None:
        self.phase, self.receipt, self.order_id = "", {}, ""
        self.phases: list[str] = []
        self.router = SimpleNamespace(
            url=SimpleNamespace(query_parameters={"paymentKey": "pay_1", "orderId": ORDER, "amount": "12000"})
        )
        self._shop = SimpleNamespace(payment_request={"orderId": ORDER})

    async def __aenter__(self) -> FakeState:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.phases.append(self.phase)

    async def get_state(self, cls: type) -> Any:
        if cls is ShopState:
            return self._shop
        assert cls is AuthState

        async def current_user() -> Any:
            return SimpleNamespace(id=1)

        return SimpleNamespace(current_user=current_user)


class ScriptedService:
    """confirm() and settle() answer from scripts: a PaymentView, an exception to raise, or a
    function giving the answer."""

    def __init__(self, confirms: list[Any], settles: list[Any]) -> None:
        self.confirms, self.settles, self.calls = confirms, settles, []

    @staticmethod
    def _next(script: list[Any]) -> Any:
        step = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(step, BaseException):
            raise step
        return step() if callable(step) else step

    async def confirm(self, user: Any, request: ConfirmIn) -> ConfirmResult:
        self.calls.append("confirm")
        answer = self._next(self.confirms)
        return ConfirmResult(payment=answer, pending=answer.status == "IN_PROGRESS")

    async def settle(self, order_id: str) -> PaymentView:
        self.calls.append("settle")
        return self._next(self.settles)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[FakeState, Any, ScriptedService]]:
    monkeypatch.setattr(receipt, "POLL_FIRST_SECONDS", 0.001)
    monkeypatch.setattr(receipt, "POLL_MAX_SECONDS", 0.001)

    async def go(confirms: list[Any], settles: list[Any], poll_for: float = 5.0):
        monkeypatch.setattr(receipt, "POLL_FOR_SECONDS", poll_for)
        service = ScriptedService(confirms, settles)
        monkeypatch.setattr(receipt, "payment_service", lambda: service)
        state = FakeState()
        result = await ReceiptState.confirm.fn(state)
        return state, result, service

    return go


CONFIG = ServiceError("TOSS_CONFIGURATION_ERROR", "결제 승인 서버 설정에 문제가 있습니다.", 502)


async def test_refused_keys_show_checking_until_the_payment_settles(run):
    state, result, service = await run([CONFIG, view("IN_PROGRESS")], [view("IN_PROGRESS"), view("DONE")])
    assert result is None  # never /fail
    assert state.phases == ["confirming", "checking", "checking", "checking", "done"]
    assert service.calls == ["confirm", "confirm", "settle", "settle"]
    assert state.receipt["statusLabel"] == "결제 완료" and state.order_id == ORDER
    assert state._shop.payment_request == {}


async def test_our_own_error_keeps_checking_by_confirming_again(run):
    state, result, service = await run(
        [RuntimeError("database down"), RuntimeError("still down"), view("IN_PROGRESS")], [view("DONE")]
    )
    assert result is None
    assert state.phases == ["confirming", "unknown", "unknown", "pending", "done"]
    assert service.calls == ["confirm", "confirm", "confirm", "settle"]


async def test_a_settle_that_fails_is_just_another_round(run):
    state, result, _ = await run([view("IN_PROGRESS")], [RuntimeError("redis down"), view("DONE")])
    assert result is None and state.phases == ["confirming", "pending", "pending", "done"]


async def test_checking_stops_after_the_polling_time_without_a_verdict(run):
    state, result, _ = await run([RuntimeError("database down")], [view("DONE")], poll_for=0.05)
    assert result is None and set(state.phases[1:]) == {"unknown"} and len(state.phases) > 2


async def test_a_toss_refusal_still_goes_to_fail(run, monkeypatch: pytest.MonkeyPatch):
    urls: list[str] = []
    real = receipt.fail_url
    monkeypatch.setattr(receipt, "fail_url", lambda *args: urls.append(real(*args)) or urls[-1])
    _, result, _ = await run([ServiceError("REJECT_CARD_COMPANY", "카드사에서 거절했습니다.", 400)], [view("DONE")])
    assert result is not None and urls and urls[0].startswith("/fail?code=REJECT_CARD_COMPANY")


async def test_a_settle_to_aborted_goes_to_fail(run, monkeypatch: pytest.MonkeyPatch):
    urls: list[str] = []
    real = receipt.fail_url
    monkeypatch.setattr(receipt, "fail_url", lambda *args: urls.append(real(*args)) or urls[-1])
    aborted = view("ABORTED").model_copy(update={"failureCode": "EXCEED_MAX_AMOUNT", "failureMessage": "한도 초과"})
    _, result, _ = await run([view("IN_PROGRESS")], [aborted])
    assert result is not None and urls[0].startswith("/fail?code=EXCEED_MAX_AMOUNT")


async def test_a_refresh_stops_the_older_loop(run, monkeypatch: pytest.MonkeyPatch):
    states: list[FakeState] = []
    real_init = FakeState.__init__

    def remember(self: FakeState) -> None:
        real_init(self)
        states.append(self)

    def refreshed() -> PaymentView:
        states[0]._run = "a newer confirm"  # what on_load of a refreshed page does
        return view("IN_PROGRESS")

    monkeypatch.setattr(FakeState, "__init__", remember)
    state, result, service = await run([view("IN_PROGRESS")], [refreshed, view("DONE")])
    assert result is None and service.calls == ["confirm", "settle"]
    assert state.phases == ["confirming", "pending", "pending"]  # left as it was: the newer loop shows the rest
