-- A day's close escalates only the alerts due on it, not every open alert each day.

-- The business day on which an alert not yet known to be acknowledged or resolved next
-- reaches an escalation level under its rule's version in force: set when a close looks at
-- it (the first close after its raising, each level reached, a version of its rule taking
-- effect). 'infinity': no level to reach under that version. Null: not looked at yet — every
-- alert raised before this migration, and any the release before raises meanwhile (it names
-- no day): the next close looks at it.
alter table monitoring.conditions add column escalates_on date;
create index conditions_escalation_due on monitoring.conditions (escalates_on)
    where alert_id is not null and not settled;
