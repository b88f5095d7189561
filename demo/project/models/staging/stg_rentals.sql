-- One row per rental: a bike taken from one station and (unless still out) docked at another.
select
    id as rental_id,
    member_id,
    bike_id,
    bike_type,
    start_station_id,
    end_station_id,
    started_at,
    ended_at,
    status,
    -- Started minutes, the unit fares are charged in; null while the bike is still out.
    ceil(date_diff('second', started_at, ended_at) / 60)::integer as duration_minutes
from {{ ref('raw_rentals') }}
