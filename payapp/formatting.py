"""How money, times and statuses read on the Korean pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")

STATUS_LABELS = {
    "READY": "결제 대기",
    "IN_PROGRESS": "승인 확인 중",
    "WAITING_FOR_DEPOSIT": "입금 대기",
    "DONE": "결제 완료",
    "CANCELED": "전액 취소",
    "PARTIAL_CANCELED": "부분 취소",
    "ABORTED": "결제 실패",
    "EXPIRED": "만료",
}
STATUS_COLORS = {
    "DONE": "green", "PARTIAL_CANCELED": "orange", "CANCELED": "gray", "ABORTED": "red",
    "IN_PROGRESS": "blue", "EXPIRED": "gray", "READY": "gray", "WAITING_FOR_DEPOSIT": "blue",
}


def won(amount: int | None) -> str:
    """12000 → "12,000원"."""
    return f"{amount or 0:,}원"


def kst(value: datetime | str | None) -> str:
    """An aware time → "2026-11-27 02:09:47" in Asia/Seoul; "" for none."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, "gray")
