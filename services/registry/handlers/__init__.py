"""The registry's service layer: one async function per command, each taking the unit of work."""

from services.registry.handlers.cadres import (
    cadre_record,
    cancel_leave,
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
    change_unit_attributes,
    dissolve_team,
    enter_village,
    form_team,
    register_cadre,
    register_unit,
    replace_first_secretary,
    rotate_team,
    unassign_village,
)
from services.registry.handlers.screening import preview_screening, run_screening, verify_screening
from services.registry.handlers.villages import (
    change_village_attributes,
    correct_income,
    graduate_village,
    import_villages,
    register_village,
)

__all__ = [
    "accept_proposal", "assign_village", "cadre_record", "cancel_leave", "change_members", "change_unit_attributes",
    "change_village_attributes", "compute_allowances", "correct_income", "decide_leave", "dissolve_team",
    "enter_village", "form_team", "graduate_village", "import_villages", "log_presence", "preview_screening",
    "propose_matching", "record_insurance", "record_training", "register_cadre", "register_unit", "register_village",
    "replace_first_secretary", "request_leave", "rotate_team", "run_screening", "unassign_village",
    "verify_screening",
]
