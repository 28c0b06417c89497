-- What a published notice's or report's figures were drawn at (NoticePublished/ReportPublished
-- v2): the business day and the log positions; null for those drawn live (v1).
alter table pub.notices add column drawn_as_of timestamptz;
alter table pub.notices add column known_at jsonb;
alter table pub.reports add column drawn_as_of timestamptz;
alter table pub.reports add column known_at jsonb;
