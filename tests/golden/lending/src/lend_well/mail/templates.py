"""The mails the product sends, each as plain text and HTML, carrying its title."""

import html
from dataclasses import dataclass

from lend_well.mail.tokens import LIFETIMES, RESET, VERIFY

TITLE = "LendWell"


@dataclass(frozen=True)
class Mail:
    """A rendered mail: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def _hours(purpose: str) -> str:
    seconds = int(LIFETIMES[purpose].total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour" + ("" if hours == 1 else "s")
    return f"{seconds // 60} minutes"


def _render(subject: str, lines: list[str], link: tuple[str, str] | None) -> Mail:
    text_parts = [*lines]
    html_parts = [f"<p>{html.escape(line)}</p>" for line in lines]
    if link is not None:
        label, url = link
        text_parts.append(f"{label}: {url}")
        html_parts.append(
            f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>'
        )
    text_parts.append(f"-- {TITLE}")
    body = "\n".join(html_parts)
    page = (
        "<!DOCTYPE html>\n"
        f'<html><head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>\n'
        f"<body>\n<h1>{html.escape(TITLE)}</h1>\n{body}\n</body></html>\n"
    )
    return Mail(subject=f"{TITLE}: {subject}", text="\n\n".join(text_parts) + "\n", html=page)


def verification(link: str) -> Mail:
    """The mail a new account gets: the link that verifies its address."""
    return _render(
        "verify your email",
        [
            f"Welcome to {TITLE}. Confirm that this address is yours by following the link below.",
            f"The link works once, within {_hours(VERIFY)}.",
            "If you did not sign up, ignore this mail.",
        ],
        ("Verify my email", link),
    )


def already_registered(reset_link: str) -> Mail:
    """The mail sent when someone registers an address that has an account."""
    return _render(
        "you already have an account",
        [
            f"Someone (perhaps you) tried to sign up to {TITLE} with this address,"
            " which already has an account.",
            "Sign in with your password, or set a new one with the link below.",
            f"The link works once, within {_hours(RESET)}. If it was not you, ignore this mail.",
        ],
        ("Set a new password", reset_link),
    )


def password_reset(link: str) -> Mail:
    """The mail with a password-reset link."""
    return _render(
        "reset your password",
        [
            f"Someone (perhaps you) asked to reset the password of your {TITLE} account.",
            f"The link works once, within {_hours(RESET)}, and signs you out everywhere.",
            "If it was not you, ignore this mail: your password stays as it is.",
        ],
        ("Set a new password", link),
    )
