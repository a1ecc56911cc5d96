"""``python -m payapp.users create EMAIL --password P [--admin]``: operators' account tool."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import select

from payapp.db import migrate, session_scope
from payapp.models import Role, User
from payapp.services import accounts
from payapp.services.errors import ServiceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m payapp.users")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a user, or reset the password/role of an existing one")
    create.add_argument("email")
    create.add_argument("--password", required=True)
    create.add_argument("--admin", action="store_true", help="give the admin role")
    args = parser.parse_args(argv)
    migrate()
    role = Role.ADMIN if args.admin else Role.CUSTOMER
    try:
        with session_scope() as session:
            email = accounts.normalize_email(args.email)
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = accounts.create_user(session, email, args.password, role)
                print(f"created {user.role} {user.email}")
            else:
                accounts.set_password(session, user, args.password, role)
                print(f"updated {user.role} {user.email}")
    except ServiceError as err:
        print(f"error: {err.code}: {err.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
