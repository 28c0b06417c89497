"""The registry's service layer: one async function per command, each taking the unit of work."""

from services.registry.handlers.cadres import (
    cadre_record,
    compute_allowances,
    decide_leave,
    log_presence,
    record_insurance,
    record_training,
    request_leave,
)
from services.registry.handlers.matching import accept_proposal, propose_matching
from services.registry.handlers.network import (
    assign_village,
    change_members,
    enter_village,
    form_team,
    register_cadre,
    register_unit,
    unassign_village,
)
from services.registry.handlers.screening import preview_screening, run_screening, verify_screening
from services.registry.handlers.villages import correct_income, import_villages, register_village

__all__ = [
    "accept_proposal", "assign_village", "cadre_record", "change_members", "compute_allowances", "correct_income", "decide_leave",
    "enter_village", "form_team", "import_villages", "log_presence", "preview_screening", "propose_matching",
    "record_insurance", "record_training", "register_cadre", "register_unit", "register_village",
    "request_leave", "run_screening", "unassign_village", "verify_screening",
]
