"""Outbound webhooks: subscriptions, the event outbox written beside each change, and
the deliveries' database work (the HTTP POST itself is the delivery activity's)."""
