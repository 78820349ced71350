"""The waitlist: entries (join, read, list), matching freed capacity to entries, offers, quotes.

`entries` validates and records entries; `matching` offers a restaurant-day's freed
capacity to waiting entries with real holds; `offers` turns an offer into a booking
or releases it; `quotes` estimates a walk-in's wait from the live timeline.
"""
