"""Guest CRM: what each restaurant knows about its guests, consent, and privacy rights."""
