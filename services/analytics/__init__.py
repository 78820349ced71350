"""Restaurant analytics: what happened over a date range, bucketed by the restaurant's
local day, computed in SQL that runs the same on PostgreSQL and SQLite.

One module per family of figures (volume, no_shows, lead_times, slots, money, revpash,
turn_times, messages); `window` holds the date range and its local-day arithmetic,
`sql` the few expressions the two databases spell differently.
"""
