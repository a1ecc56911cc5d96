"""Every error code the app answers with is in one catalog, with one status, and docs/API.md's
error table is the catalog's (generated from it, and checked here)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from payapp.services.error_catalog import CATALOG, Code, markdown_table
from payapp.services.errors import ServiceError
from payapp.services.inputs import CancelIn, ConfirmIn, PrepareIn

ROOT = Path(__file__).resolve().parents[2]
PAYAPP = ROOT / "payapp"
APP_FILES = sorted(p for p in PAYAPP.rglob("*.py") if "sandbox" not in p.relative_to(PAYAPP).parts)
ERRORS_MODULE = PAYAPP / "services" / "errors.py"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{3,}$")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def test_every_code_has_one_entry_with_a_4xx_or_5xx_status_and_both_languages():
    assert set(CATALOG) == set(Code)
    for code, spec in CATALOG.items():
        assert code.value == code.name and CODE_RE.match(code.value)
        assert 400 <= spec.status <= 599, code
        assert re.search(r"[가-힣]", spec.message) or code in (Code.NOT_FOUND, Code.METHOD_NOT_ALLOWED), code
        assert spec.doc and not re.search(r"[가-힣]{4,}", spec.doc.replace("가상계좌", "")), code


def test_the_app_makes_errors_only_from_the_catalog_or_tosss_answer():
    """No inline (code, message, status) triple is left: ``ServiceError(`` is called in errors.py
    only; everything else goes through ``ServiceError.of(Code.X)`` or ``.passthrough`` (Toss's)."""
    inline = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path in APP_FILES
        if path != ERRORS_MODULE
        for call in _calls(path)
        if _name(call.func) == "ServiceError"
    ]
    assert inline == []
    made = [
        (path, call)
        for path in APP_FILES
        for call in _calls(path)
        if _name(call.func) in ("ServiceError.of", "ServiceError.passthrough")
    ]
    assert len(made) > 30  # the scan sees the app's raise sites
    for path, call in made:
        if _name(call.func) == "ServiceError.of":
            first = call.args[0]
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            assert not isinstance(first, ast.Constant), where  # a Code (mypy holds variables to it)
            if isinstance(first, ast.Attribute):
                assert _name(first.value) == "Code" and first.attr in Code.__members__, where
        else:  # Toss's code, never a literal of ours in disguise
            assert not isinstance(call.args[0], ast.Constant), f"{path.relative_to(ROOT)}:{call.lineno}"


def test_no_error_body_is_written_by_hand():
    """Every ``{code, message}`` body comes from ServiceError, even the body-size cap's, which
    answers before FastAPI: a dict literal with a literal "code" is a second catalog."""
    found = []
    for path in APP_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "code" and isinstance(value, ast.Constant):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value.value}")
    assert found == []


@pytest.mark.parametrize("code", list(Code))
def test_of_gives_the_catalogs_status_and_message(code: Code):
    spec = CATALOG[code]
    values = {"product_id": 7, "balance": 12_000, "status": "READY", "kib": 64, "seconds": 3}
    err = ServiceError.of(code, **values)
    assert (err.code, err.status) == (code.value, spec.status)
    assert err.message == spec.message.format(**values) and "{" not in err.message
    assert ServiceError.of(code, "더 자세한 설명 {그대로}").message == "더 자세한 설명 {그대로}"


def test_money_in_a_message_is_written_with_thousands_separators():
    err = ServiceError.of(Code.CANCEL_AMOUNT_EXCEEDS_BALANCE, balance=1_234_000)
    assert err.status == 400 and "1,234,000원" in err.message


def test_api_docs_table_is_the_catalogs():
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- error-catalog:[^\n]*-->\n(.*?)<!-- /error-catalog -->", text, re.S)
    assert table, "docs/API.md lost its generated error table's markers"
    assert table.group(1) == markdown_table(), "regenerate it: python -m payapp.services.error_catalog"
    rows = re.findall(r"^\| (\d{3}) \| `([A-Z0-9_]+)` \|", table.group(1), re.M)
    assert {code: int(status) for status, code in rows} == {c.value: s.status for c, s in CATALOG.items()}


# The same broken rule reads the same through the REST API (FastAPI validates the body with the
# service's input model) and through a page (which builds that model with ``parse``).
SAME_RULE = [
    ("/v1/payments/confirm", ConfirmIn, {"paymentKey": "pk 1", "orderId": "ord_123456", "amount": 100}),
    ("/v1/payments/confirm", ConfirmIn, {"paymentKey": "pk_1", "orderId": "ord\n123456", "amount": 100}),
    ("/v1/payments/confirm", ConfirmIn, {"paymentKey": "pk_1", "orderId": "ord_123456", "amount": "１２"}),
    ("/v1/payments/confirm", ConfirmIn, {"paymentKey": "pk_1", "orderId": "ord_123456", "amount": 1.5}),
    ("/v1/payments/prepare", PrepareIn, {"items": []}),
    ("/v1/payments/prepare", PrepareIn, {"items": [{"productId": "1", "quantity": 1}]}),
    ("/v1/payments/prepare", PrepareIn, {"items": [{"productId": True}]}),
    ("/v1/payments/ord_123456/cancel", CancelIn, {"cancelReason": "   "}),
    ("/v1/payments/ord_123456/cancel", CancelIn, {"cancelReason": "사유\x00"}),
    ("/v1/payments/ord_123456/cancel", CancelIn, {"cancelReason": "사유", "cancelAmount": 0}),
    (
        "/v1/payments/ord_123456/cancel",
        CancelIn,
        {"cancelReason": "사유", "refundReceiveAccount": {"bank": "20", "accountNumber": "12-34", "holderName": "가"}},
    ),
]


@pytest.mark.parametrize(("path", "model", "body"), SAME_RULE)
def test_a_broken_rule_reads_the_same_from_the_api_and_from_a_page(pg_shop, path, model, body):
    auth = pg_shop.admin() if path.endswith("/cancel") else pg_shop.signup()
    r = pg_shop.http.post(path, headers=auth, json=body)
    with pytest.raises(ServiceError) as page:
        model.parse(body)
    assert (page.value.code, page.value.status) == ("INVALID_REQUEST", 400)
    assert re.search(r"[가-힣]", page.value.message) and "요청이 올바르지" not in page.value.message
    assert r.status_code == 400 and r.json() == page.value.body(), r.text


def test_a_refund_by_a_customer_is_forbidden_and_changes_nothing(pg_shop):
    """The route's dependency and the refund service both check the actor with ``require_admin``."""
    buyer = pg_shop.signup()
    paid = pg_shop.paid_order(buyer)
    r = pg_shop.http.post(f"/v1/payments/{paid['orderId']}/cancel", headers=buyer, json={"cancelReason": "x"})
    assert (r.status_code, r.json()["code"]) == (403, "FORBIDDEN")
    assert pg_shop.payment_row(paid["orderId"])["status"] == "DONE"


def test_someone_elses_payment_reads_as_not_found_and_an_admin_sees_it(pg_shop):
    owner, stranger = pg_shop.signup(), pg_shop.signup()
    paid = pg_shop.paid_order(owner)
    path = f"/v1/payments/{paid['orderId']}"
    assert pg_shop.http.get(path, headers=stranger).json()["code"] == "PAYMENT_INFO_NOT_FOUND"
    assert pg_shop.http.get(path, headers=stranger).status_code == 404
    assert pg_shop.http.get(path, headers=owner).json()["status"] == "DONE"
    assert pg_shop.http.get(path, headers=pg_shop.admin()).json()["status"] == "DONE"
