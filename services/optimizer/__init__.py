"""The table optimizer: re-seat a service's parties, and make room for a new one.

``solver`` is the pure CP-SAT model; ``make_room`` bounds it for the booking path;
``service_model`` reads a service's parties from the database; ``plans`` stores a
proposed plan and applies it through each reservation's workflow.
"""
