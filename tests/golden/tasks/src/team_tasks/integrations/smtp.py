"""Mail through an SMTP relay, with the standard library's `smtplib`.

The outbox worker (mail/worker.py) hands it each mail; it sends a plain-text
and an HTML part, with STARTTLS when `SMTP_STARTTLS` is true (the default
for port 587) and a login when `SMTP_USERNAME` is set. Unconfigured (no
`SMTP_HOST`), it is skipped. An error names its kind and SMTP code, never
the address.
"""

import smtplib
import ssl
from email.message import EmailMessage

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from team_tasks.mail.outbox import DeliveryError, Message
from team_tasks.settings import get_settings


class SmtpSettings(BaseSettings):
    """The relay, from the environment."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_timeout: float = Field(default=10.0, gt=0)


def _mail(message: Message) -> EmailMessage:
    sender = get_settings().email_from
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    # The outbox row's id: a relay or a reader can tell a retry from a new mail.
    mail["Message-ID"] = f"<{message.id}@{sender.rpartition('@')[2] or 'localhost'}>"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


class Smtp:
    """The SMTP provider of the outbox."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings | None = None) -> None:
        """With `settings`, those; else the environment's, read at every send."""
        self._settings = settings

    def settings(self) -> SmtpSettings:
        """The settings a send uses."""
        return self._settings if self._settings is not None else SmtpSettings()

    def configured(self) -> bool:
        """Whether `SMTP_HOST` is set."""
        return bool(self.settings().smtp_host)

    def send(self, message: Message) -> None:
        """Sends the mail through the relay, or raises DeliveryError."""
        settings = self.settings()
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
            ) as client:
                if settings.smtp_starttls:
                    client.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    client.login(settings.smtp_username, settings.smtp_password)
                client.send_message(_mail(message))
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"{type(error).__name__} {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as error:
            # SMTPRecipientsRefused and friends print the address: only the kind is kept.
            raise DeliveryError(type(error).__name__) from None


PROVIDER = Smtp()
