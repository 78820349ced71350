"""Guest messages: rendering, calendar files and the email/SMS providers."""
