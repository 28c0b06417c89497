-- allocation.idle: a request read before the allocation it draws on (another stream, so
-- another partition) ends the allocation's idle episode on the request's day. The
-- allocation finds its first request among the awaiting-approval episodes, which name it.
create index conditions_requests_by_allocation on monitoring.conditions ((figures->>'allocation_id'))
    where rule_id = 'disbursement.awaiting_approval';
