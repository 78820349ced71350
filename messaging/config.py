"""The configured email and SMS providers."""

from __future__ import annotations

from messaging.channels import EmailSender, SmsSender
from messaging.outbox_sender import OutboxEmailSender, OutboxSmsSender
from messaging.smtp import SmtpSender
from messaging.twilio_sms import TwilioSender
from reservations.settings import Settings


def email_sender(settings: Settings) -> EmailSender:
    """SMTP when configured, else the local outbox (messages stay in the outbox table)."""
    if settings.email_provider == "smtp":
        return SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
            sender=settings.email_from,
        )
    return OutboxEmailSender()


def sms_sender(settings: Settings) -> SmsSender:
    """Twilio when configured, else the local outbox."""
    if settings.sms_provider == "twilio":
        assert settings.twilio_account_sid and settings.twilio_auth_token
        return TwilioSender(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            from_number=settings.twilio_from_number,
            api_base_url=settings.twilio_api_url,
        )
    return OutboxSmsSender()
