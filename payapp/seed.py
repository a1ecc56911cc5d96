"""``python -m payapp.seed``: migrate, add the demo catalog, the demo customer and the admin.

``--payments N`` also adds N demo payments for the admin dashboard (payapp/seed_payments.py).
Prints the sign-ins. Passwords come from settings (DEMO_PASSWORD, ADMIN_PASSWORD); with no
ADMIN_PASSWORD a random one is generated once into .data/admin_password.

In production (REFLEX_ENV_MODE=prod, as ``make serve`` runs it) the demo customer, whose
password is public, is not seeded unless SEED_DEMO=1, and no admin password is printed: only
where to find it (the file) or that it is ADMIN_PASSWORD.

Seeding again makes the printed sign-ins true: an existing demo customer or admin whose
password is not the one from settings (or the demo default) gets it, and gets its role (the
admin is promoted, the demo account, whose password is public, is never an admin). A generated
admin password is only a default: an existing admin with another password is left alone and
its password is not printed (it may be another checkout's; set ADMIN_PASSWORD to reset it).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time

from sqlmodel import select

from payapp.db import migrate, session_scope, startup_lock
from payapp.models import Role, User
from payapp.services import accounts
from payapp.services.catalog import seed_catalog
from payapp.services.errors import ServiceError
from payapp.settings import get_settings


def admin_password() -> str:
    settings = get_settings()
    if settings.admin_password:
        return settings.admin_password.get_secret_value()
    path = settings.ensure_data_dir() / "admin_password"
    if not path.exists():
        path.write_text("Adm" + secrets.token_urlsafe(12) + "9")
        path.chmod(0o600)
    return path.read_text().strip()


def admin_password_from_settings() -> bool:
    return get_settings().admin_password is not None


def ensure_user(email: str, password: str, role: Role, *, authoritative: bool = True) -> str:
    """Make ``email`` sign in with ``password`` as ``role``; say what it took.

    "created", "updated" (password and/or role changed), "unchanged", or — only when
    ``authoritative`` is False — "kept": the account exists with another password and is left
    as it is (neither password nor role touched).
    """
    with session_scope() as session:
        address = accounts.normalize_email(email)
        user = session.exec(select(User).where(User.email == address)).first()
        if user is None:
            accounts.create_user(session, address, password, role)
            return "created"
        try:
            accounts.authenticate(session, address, password)
            matches = True
        except ServiceError:
            matches = False
        if matches and user.role == role:
            return "unchanged"
        if not matches and not authoritative:
            return "kept"
        # set_password hashes again even when only the role changes: one code path, and a
        # re-seed is rare enough that one argon2 hash does not matter.
        accounts.set_password(session, user, password, role)
        return "updated"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m payapp.seed")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--payments",
        type=int,
        default=0,
        metavar="N",
        help="also add N demo payments with buyers and events (COPY on PostgreSQL)",
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    with startup_lock():  # seeds started together (or beside starting API processes) run one by one
        migrate()
        with session_scope() as session:
            added = seed_catalog(session)
    if settings.demo_email.strip().lower() == settings.admin_email.strip().lower():
        raise SystemExit("DEMO_EMAIL and ADMIN_EMAIL must differ (the demo password is public)")
    demo_pw = settings.demo_password.get_secret_value()
    admin_pw = admin_password()
    try:
        demo = ensure_user(settings.demo_email, demo_pw, Role.CUSTOMER) if settings.seeds_demo else None
        admin = ensure_user(settings.admin_email, admin_pw, Role.ADMIN, authoritative=admin_password_from_settings())
    except ServiceError as err:  # e.g. a password from settings that breaks the password rule
        raise SystemExit(f"seed: {err.code}: {err.message} (DEMO_PASSWORD / ADMIN_PASSWORD)") from None
    if not args.quiet:
        print(f"catalog: {added} product(s) added")
        if demo is not None:
            print(f"demo customer: {settings.demo_email} / {demo_pw}{_note(demo)}")
        else:
            print(
                "demo customer: not seeded (its password is public; SEED_DEMO=1 seeds it)"
                + _left_over(settings.demo_email)
            )
        if admin == "kept":
            print(
                f"admin:         {settings.admin_email} (exists with another password, left as it is; "
                "set ADMIN_PASSWORD to reset it)"
            )
        elif settings.production:  # a password never goes to a production log
            where = "ADMIN_PASSWORD" if admin_password_from_settings() else settings.data_dir / "admin_password"
            print(f"admin:         {settings.admin_email} / password in {where}{_note(admin)}")
        else:
            print(f"admin:         {settings.admin_email} / {admin_pw}{_note(admin)}")
    if args.payments > 0:
        from payapp.seed_payments import seed_payments

        started = time.monotonic()
        seed_payments(args.payments, progress=(lambda _line: None) if args.quiet else print)
        if not args.quiet:
            print(f"payments: {args.payments:,} added in {time.monotonic() - started:.1f}s")
    return 0


def _note(outcome: str) -> str:
    return "  (password and role updated)" if outcome == "updated" else ""


def _left_over(email: str) -> str:
    """A warning when an earlier (dev) seed left the demo account in this database."""
    with session_scope() as session:
        exists = session.exec(select(User.id).where(User.email == accounts.normalize_email(email))).first()
    if not exists:
        return ""
    return f"\n               warning: {email} exists from an earlier seed, maybe with the public password"


if __name__ == "__main__":
    sys.exit(main())
