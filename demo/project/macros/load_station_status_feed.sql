{% macro load_station_status_feed() %}
{#-
    Stands in for the loader of the live dock feed (a GBFS station_status feed), which in production
    replaces gbfs.station_status every few minutes. Called by the on-run-start hook in
    dbt_project.yml, so the source exists, and is fresh, before any node of any invocation runs.
    It uses no seed or model, only literal values, so it works on an empty warehouse.
-#}
create schema if not exists gbfs;
create or replace table gbfs.station_status as
select
    station_id::integer as station_id,
    num_bikes_available::smallint as num_bikes_available,
    num_bikes_disabled::smallint as num_bikes_disabled,
    num_docks_available::smallint as num_docks_available,
    is_renting,
    is_returning,
    -- When the dock last reported, in UTC: a few minutes ago, as a live feed would show.
    (timezone('UTC', now()) - to_minutes(minutes_ago))::timestamp as last_reported
from (values
    (1, 11, 1, 17, true, true, 2),
    (2, 6, 0, 13, true, true, 3),
    (3, 2, 1, 13, true, true, 1),
    (4, 15, 0, 8, true, true, 4),
    (5, 4, 2, 12, true, true, 2),
    (6, 9, 0, 13, true, true, 6),
    (7, 21, 1, 5, true, true, 1),
    (8, 3, 0, 17, true, true, 5),
    (9, 12, 0, 11, true, true, 3),
    (10, 7, 0, 9, true, true, 2),
    (11, 1, 0, 11, true, true, 8),
    (12, 5, 1, 8, true, true, 4),
    (13, 10, 0, 10, true, true, 2),
    (14, 8, 0, 10, true, true, 3),
    (15, 14, 2, 10, true, true, 7),
    (16, 3, 0, 11, true, true, 9),
    (17, 0, 0, 10, false, false, 47),
    (18, 6, 0, 9, true, true, 3)
) as feed(station_id, num_bikes_available, num_bikes_disabled, num_docks_available, is_renting, is_returning, minutes_ago)
{% endmacro %}
