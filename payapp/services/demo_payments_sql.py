"""The demo payments' spread (:mod:`payapp.services.demo_payments`) as PostgreSQL statements.

The same spread as ``generate()``, written as INSERT … SELECT over generate_series: PostgreSQL
builds a million rows in C in seconds, where Python formatting them for COPY took minutes on this
(2-core, shared) machine. The statements run in order, in one transaction
(:mod:`payapp.seed_payments`); ``seed_p``, the draws, is a temp table dropped at its commit.
"""

from __future__ import annotations

import secrets

from payapp.services.demo_payments import DOMAINS, FAILURES, FAMILY, GIVEN, STATUSES, UNUSABLE_HASH, Products


def _pick(values: list[str], r: str) -> str:
    """SQL picking one of ``values`` with the random() expression ``r``."""
    quoted = ",".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{quoted}])[1 + floor({r} * {len(values)})::int]"


def _status_case(r: str) -> str:
    total, edge, whens = sum(w for _, w in STATUSES), 0, []
    for name, weight in STATUSES[:-1]:
        edge += weight
        whens.append(f"WHEN {r} < {edge / total} THEN '{name}'")
    return f"CASE {' '.join(whens)} ELSE '{STATUSES[-1][0]}' END"


def postgres_steps(n: int, products: Products) -> list[tuple[str, str]]:
    """(label, statement) for ``n`` payments over ``products``, in the order they run."""
    ids, names, prices = (list(x) for x in zip(*products, strict=True))
    arr_names = "ARRAY[" + ",".join("'" + x.replace("'", "''") + "'" for x in names) + "]"
    n_users, tag = max(5, n // 20), secrets.token_hex(3)
    return [
        (
            "buyers",
            f"""
INSERT INTO "user" (email, password_hash, role, created_at)
SELECT {_pick(GIVEN, "random()")} || '.' || {_pick(FAMILY, "random()")} || g || '.{tag}@' || {_pick(DOMAINS, "random()")},
       '{UNUSABLE_HASH}', 'customer', now() - interval '366 days'
FROM generate_series(1, {n_users}) g""",
        ),
        (
            "draws",
            f"""
CREATE TEMP TABLE seed_p ON COMMIT DROP AS
SELECT p0.first + g AS id,
       now() - interval '365 days' + interval '365 days' * ((g - random()) / {n}) AS created,
       least({len(ids)}, (ARRAY[1,1,1,2,2,3])[1 + floor(random() * 6)::int]) AS k,
       floor(random() * {len(ids)})::int AS a, floor(random() * 5)::int AS q1, floor(random() * 5)::int AS q2,
       floor(random() * 5)::int AS q3, random() AS rs, random() AS rr,
       u.last - {n_users} + 1 + floor(random() * {n_users})::int AS user_id, md5(random()::text || g) AS h
FROM generate_series(1, {n}) g,
     (SELECT coalesce(max(id), 0) AS first FROM payment) p0, (SELECT max(id) AS last FROM "user") u""",
        ),
        # Every basket a payment can have (product offset a, k lines, a quantity draw per line):
        # a few thousand rows, joined to the million draws instead of building each basket again.
        (
            "baskets",
            f"""
CREATE TEMP TABLE seed_b ON COMMIT DROP AS
SELECT b.a, b.k, b.q1, b.q2, b.q3,
       json_agg(json_build_object('productId', (ARRAY{ids})[l.idx], 'name', ({arr_names})[l.idx],
                'price', (ARRAY{prices})[l.idx], 'quantity', l.q) ORDER BY l.i) AS items,
       sum((ARRAY{prices})[l.idx] * l.q)::int AS amount, min(l.name0) AS first_name, count(*)::int AS n_lines
FROM (SELECT a, k, q1, q2, q3 FROM generate_series(0, {len(ids) - 1}) a, generate_series(1, {min(3, len(ids))}) k,
      generate_series(0, 4) q1, generate_series(0, 4) q2, generate_series(0, 4) q3) b,
     LATERAL (SELECT i, 1 + (b.a + i) % {len(ids)} AS idx, ({arr_names})[1 + b.a] AS name0,
                     (ARRAY[1,1,1,2,3])[1 + (ARRAY[b.q1, b.q2, b.q3])[i + 1]] AS q
              FROM generate_series(0, b.k - 1) i) l
GROUP BY b.a, b.k, b.q1, b.q2, b.q3""",
        ),
        (
            "payments",
            f"""
INSERT INTO payment (id, order_id, payment_key, order_name, amount, balance_amount, method, status, approved_at,
                     user_id, items, failure_code, failure_message, raw, created_at, updated_at)
SELECT id, order_id, payment_key, order_name, amount,
       CASE status WHEN 'DONE' THEN amount WHEN 'IN_PROGRESS' THEN amount
                   WHEN 'PARTIAL_CANCELED' THEN amount - greatest(100, floor(amount * (0.1 + 0.8 * rr) / 100) * 100)
                   ELSE 0 END,
       CASE WHEN paid THEN '카드' END, status, CASE WHEN paid THEN created + interval '1 second' * (1 + 19 * rr) END,
       user_id, items, CASE WHEN status = 'ABORTED' THEN {_pick([c for c, _ in FAILURES], "rr")} END,
       CASE WHEN status = 'ABORTED' THEN {_pick([m for _, m in FAILURES], "rr")} END,
       NULL, created, created + interval '90 seconds'
FROM (SELECT p.id, p.created, p.user_id, p.rr, i.items, i.amount, s.status,
             s.status IN ('DONE', 'PARTIAL_CANCELED', 'CANCELED') AS paid,
             'ord_' || translate(encode(decode(p.h, 'hex'), 'base64'), '+/=', '-_') AS order_id,
             'tviva' || to_char(p.created AT TIME ZONE 'Asia/Seoul', 'YYYYMMDDHH24MISS') || substr(p.h, 1, 5)
                     || to_hex(p.id) AS payment_key,
             left(i.first_name, 100 - length(sfx.s)) || sfx.s AS order_name
      FROM seed_p p JOIN seed_b i USING (a, k, q1, q2, q3),
           LATERAL (SELECT {_status_case("p.rs")} AS status) s,
           LATERAL (SELECT CASE WHEN i.n_lines > 1 THEN ' 외 ' || (i.n_lines - 1) || '건' ELSE '' END AS s) sfx
     ) x""",
        ),
        (
            "events",
            """
INSERT INTO payment_event (payment_id, from_status, to_status, source, detail, at)
SELECT p.id, e.from_status, e.to_status, e.source, e.detail, p.created_at + interval '30 seconds' * e.step
FROM payment p, LATERAL (VALUES
    (0, NULL, 'IN_PROGRESS', 'confirm', json_build_object('paymentKey', p.payment_key), true),
    (1, 'IN_PROGRESS', 'DONE', 'confirm', json_build_object('balanceAmount', p.amount),
        p.status IN ('DONE', 'PARTIAL_CANCELED', 'CANCELED')),
    (2, 'DONE', p.status, 'cancel', json_build_object('cancelAmount', p.amount - p.balance_amount,
        'cancelReason', CASE p.status WHEN 'CANCELED' THEN '고객 요청' ELSE '부분 환불' END),
        p.status IN ('PARTIAL_CANCELED', 'CANCELED')),
    (1, 'IN_PROGRESS', p.status, 'confirm', json_build_object('code', coalesce(p.failure_code, 'EXPIRED')),
        p.status IN ('ABORTED', 'EXPIRED'))
) e(step, from_status, to_status, source, detail, wanted)
WHERE e.wanted AND p.id > (SELECT min(id) - 1 FROM seed_p)""",
        ),
    ]
