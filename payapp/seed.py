"""``python -m payapp.seed``: migrate, add the demo catalog, the demo customer and the admin.

``--payments N`` also adds N demo payments for the admin dashboard (payapp/seed_payments.py).
Prints the sign-ins. Passwords come from settings (DEMO_PASSWORD, ADMIN_PASSWORD); with no
ADMIN_PASSWORD a random one is generated once into .data/admin_password.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time

from sqlmodel import select

from payapp.db import migrate, session_scope
from payapp.models import Role, User
from payapp.services import accounts
from payapp.services.catalog import seed_catalog
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


def ensure_user(email: str, password: str, role: Role) -> User:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email.lower())).first()
        if user is None:
            return accounts.create_user(session, email, password, role)
        return user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m payapp.seed")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--payments", type=int, default=0, metavar="N",
                        help="also add N demo payments with buyers and events (COPY on PostgreSQL)")
    args = parser.parse_args(argv)
    settings = get_settings()
    migrate()
    with session_scope() as session:
        added = seed_catalog(session)
    demo_pw = settings.demo_password.get_secret_value()
    ensure_user(settings.demo_email, demo_pw, Role.CUSTOMER)
    admin_pw = admin_password()
    ensure_user(settings.admin_email, admin_pw, Role.ADMIN)
    if not args.quiet:
        print(f"catalog: {added} product(s) added")
        print(f"demo customer: {settings.demo_email} / {demo_pw}")
        print(f"admin:         {settings.admin_email} / {admin_pw}")
    if args.payments > 0:
        from payapp.seed_payments import seed_payments

        started = time.monotonic()
        seed_payments(args.payments, progress=(lambda _line: None) if args.quiet else print)
        if not args.quiet:
            print(f"payments: {args.payments:,} added in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
