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
    "DONE": "green",
    "PARTIAL_CANCELED": "orange",
    "CANCELED": "gray",
    "ABORTED": "red",
    "IN_PROGRESS": "blue",
    "EXPIRED": "gray",
    "READY": "gray",
    "WAITING_FOR_DEPOSIT": "blue",
}

# Toss bank codes (가상계좌, 계좌이체) → the bank's Korean name.
BANKS = {
    "39": "경남은행",
    "34": "광주은행",
    "12": "지역농축협",
    "32": "부산은행",
    "45": "새마을금고",
    "64": "산림조합",
    "88": "신한은행",
    "48": "신협",
    "27": "씨티은행",
    "20": "우리은행",
    "71": "우체국",
    "50": "저축은행",
    "37": "전북은행",
    "35": "제주은행",
    "90": "카카오뱅크",
    "92": "토스뱅크",
    "81": "하나은행",
    "54": "HSBC",
    "03": "IBK기업은행",
    "06": "KB국민은행",
    "31": "대구은행",
    "02": "산업은행",
    "11": "NH농협은행",
    "23": "SC제일은행",
    "07": "수협은행",
    "89": "케이뱅크",
}


def bank_name(code: str | None) -> str:
    return BANKS.get(code or "", code or "-")


def won(amount: int | None) -> str:
    """12000 → "12,000원"."""
    return f"{amount or 0:,}원"


def kst_text(value: datetime | str | None) -> str:
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
