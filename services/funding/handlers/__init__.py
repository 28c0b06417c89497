"""The funding service layer: one async function per command, each in one unit of work.

Every handler locks the balance rows it will change before loading the aggregates, in
the order adapters/schema.sql states, so concurrent commands queue instead of racing.
"""
