"""Toss's codes for the institutions a payment goes through: card companies (the SDK's names and
the API's issuer codes), easy-pay providers and banks (toss-api.md §3.3)."""

from __future__ import annotations

# SDK card-company codes → card issuer codes of the API (toss-api.md §3.3).
CARD_COMPANIES = {
    "SHINHAN": "41",
    "HYUNDAI": "61",
    "SAMSUNG": "51",
    "WOORI": "W1",
    "KOOKMIN": "11",
    "LOTTE": "71",
    "NONGHYEOP": "91",
    "HANA": "21",
    "BC": "31",
    "KAKAOBANK": "15",
    "TOSSBANK": "24",
    "CITI": "36",
    "SUHYEOP": "34",
    "SHINHYEOP": "62",
    "KDBBANK": "30",
    "JEONBUKBANK": "35",
    "GWANGJUBANK": "46",
    "JEJUBANK": "42",
    "POST": "37",
    "SAEMAUL": "38",
    "SAVINGBANK": "39",
    "KBANK": "3A",
    "IBK_BC": "3K",
}
EASY_PAYS = {
    "TOSSPAY": "토스페이",
    "NAVERPAY": "네이버페이",
    "SAMSUNGPAY": "삼성페이",
    "APPLEPAY": "애플페이",
    "LPAY": "엘페이",
    "KAKAOPAY": "카카오페이",
    "PAYCO": "페이코",
    "SSG": "SSG페이",
}
# Bank codes (2022-11-16) and their Korean names (toss-api.md §3.3).
BANKS = {
    "39": "경남",
    "34": "광주",
    "12": "지역농축협",
    "32": "부산",
    "45": "새마을",
    "64": "산림",
    "88": "신한",
    "48": "신협",
    "27": "씨티",
    "20": "우리",
    "71": "우체국",
    "50": "저축",
    "37": "전북",
    "35": "제주",
    "90": "카카오뱅크",
    "92": "토스뱅크",
    "81": "하나",
    "54": "HSBC",
    "03": "기업",
    "06": "국민",
    "31": "대구",
    "02": "산업",
    "11": "농협",
    "23": "SC제일",
    "07": "수협",
    "89": "케이뱅크",
}
_BANK_BY_NAME = {name: code for code, name in BANKS.items()}


def bank_code(value: object) -> str | None:
    """A bank code from a code (``"20"``) or a Korean name (``"우리"``, ``"우리은행"``); None if neither."""
    if not isinstance(value, str):
        return None
    if value in BANKS:
        return value
    return _BANK_BY_NAME.get(value.removesuffix("은행"))
