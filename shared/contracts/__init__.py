"""The events each service publishes: its contract with the other services and bureaus.

One module per service. Changing an event's fields means a new ``version`` and an
upcaster from the old one; the contract check fails the build otherwise.
"""

from shared.contracts import assessment, audit, funding, monitoring, publicity, registry  # noqa: F401  (registers the events)
