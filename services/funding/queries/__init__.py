"""Reads of the funding read models (the ledger projection), shaped for the API and exports."""
