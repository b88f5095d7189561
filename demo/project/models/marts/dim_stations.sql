-- One row per station: where it is, how busy it has been, and how full it is right now.
with departures as (
    select start_station_id as station_id, count(*) as departures
    from {{ ref('fct_rentals') }}
    group by 1
),

arrivals as (
    select end_station_id as station_id, count(*) as arrivals
    from {{ ref('fct_rentals') }}
    where end_station_id is not null
    group by 1
)

select
    s.station_id,
    s.station_name,
    s.district,
    s.capacity,
    s.opened_on,
    s.latitude,
    s.longitude,
    coalesce(departures.departures, 0) as departures,
    coalesce(arrivals.arrivals, 0) as arrivals,
    coalesce(arrivals.arrivals, 0) - coalesce(departures.departures, 0) as net_flow,
    status.bikes_available,
    status.bikes_disabled,
    status.docks_available,
    round(status.bikes_available / s.capacity, 3)::double as fill_rate,
    status.is_renting,
    status.last_reported
from {{ ref('stg_stations') }} as s
left join departures using (station_id)
left join arrivals using (station_id)
left join {{ ref('stg_station_status') }} as status using (station_id)
