"""The registry's service layer: one async function per command, each taking the unit of work,
the command, the caller's context (their ``Access``, a configured quota or rate) and the ids
from the path — ``handler(uow, cmd, *context, **ids)``. ``COMMANDS`` maps every command type to
its handler; the routes run them through ``shared.http.commands``."""

from services.registry.domain.cadres import (
    CancelLeave,
    DecideLeave,
    RecordInsurance,
    RecordTraining,
    RegisterCadre,
    RequestLeave,
)
from services.registry.domain.commands import (
    ChangeVillageAttributes,
    CorrectIncome,
    GraduateVillage,
    ImportVillages,
    RegisterVillage,
)
from services.registry.domain.presence import ComputeAllowances, LogPresence
from services.registry.domain.proposals import AcceptProposal, ProposeMatching
from services.registry.domain.screening import RunScreening
from services.registry.domain.teams import (
    AssignVillage,
    ChangeMembers,
    DissolveTeam,
    EnterVillage,
    FormTeam,
    ReplaceFirstSecretary,
    RotateTeam,
    UnassignVillage,
)
from services.registry.domain.units import ChangeUnitAttributes, RegisterUnit
from services.registry.handlers.cadres import (
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
from services.registry.handlers.screening import run_screening
from services.registry.handlers.villages import (
    change_village_attributes,
    correct_income,
    graduate_village,
    import_villages,
    register_village,
)

COMMANDS = {
    RegisterVillage: register_village,
    ImportVillages: import_villages,
    CorrectIncome: correct_income,
    ChangeVillageAttributes: change_village_attributes,
    GraduateVillage: graduate_village,
    RunScreening: run_screening,
    RegisterUnit: register_unit,
    ChangeUnitAttributes: change_unit_attributes,
    RegisterCadre: register_cadre,
    RecordTraining: record_training,
    RecordInsurance: record_insurance,
    RequestLeave: request_leave,
    DecideLeave: decide_leave,
    CancelLeave: cancel_leave,
    FormTeam: form_team,
    ChangeMembers: change_members,
    AssignVillage: assign_village,
    UnassignVillage: unassign_village,
    EnterVillage: enter_village,
    ReplaceFirstSecretary: replace_first_secretary,
    RotateTeam: rotate_team,
    DissolveTeam: dissolve_team,
    ProposeMatching: propose_matching,
    AcceptProposal: accept_proposal,
    LogPresence: log_presence,
    ComputeAllowances: compute_allowances,
}

__all__ = [
    "COMMANDS", "accept_proposal", "assign_village", "cancel_leave", "change_members", "change_unit_attributes",
    "change_village_attributes", "compute_allowances", "correct_income", "decide_leave", "dissolve_team",
    "enter_village", "form_team", "graduate_village", "import_villages", "log_presence", "propose_matching",
    "record_insurance", "record_training", "register_cadre", "register_unit", "register_village",
    "replace_first_secretary", "request_leave", "rotate_team", "run_screening", "unassign_village",
]
