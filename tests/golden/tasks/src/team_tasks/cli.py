"""Operator commands: `python -m team_tasks.cli user --email … --password … --role …`."""

import argparse
import sys

from sqlalchemy.orm import Session

from team_tasks.db import create_engine
from team_tasks.services import users
from team_tasks.settings import DatabaseSettings, load


def set_user(email: str, password: str, role: str) -> str:
    """Creates the user, or sets the role of an existing one (leaving its password alone)."""
    engine = create_engine(load(DatabaseSettings))
    try:
        with Session(engine) as db:
            user = users.find_by_email(db, email)
            if user is None:
                user = users.create_user(db, email, password, role)
                message = f"created {user.email} with role {role}"
            else:
                users.set_role(user, role)
                message = f"set the role of {user.email} to {role}"
            db.commit()
            return message
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="team_tasks.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    user = commands.add_parser("user", help="create a user or change its role")
    user.add_argument("--email", required=True)
    user.add_argument("--password", default="")
    user.add_argument("--role", required=True, choices=users.ROLES)
    args = parser.parse_args(argv)
    try:
        print(set_user(args.email, args.password, args.role))
    except users.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
