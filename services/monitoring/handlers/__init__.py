"""The monitoring service layer: one async function per command, each in one unit of work;
``COMMANDS`` maps each command type to its handler (shared/http/commands.py)."""

from services.monitoring.domain.alert import Acknowledge, ResolveByHand
from services.monitoring.domain.calendar import CloseDay, CloseThrough
from services.monitoring.domain.rules import ChangeRule
from services.monitoring.handlers.alerts import acknowledge, resolve
from services.monitoring.handlers.days import close_day, close_through
from services.monitoring.handlers.rules import change_rule

COMMANDS = {
    ChangeRule: change_rule,
    CloseDay: close_day,
    CloseThrough: close_through,
    Acknowledge: acknowledge,
    ResolveByHand: resolve,
}
