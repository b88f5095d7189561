-- One row per rental, priced and with its stations named.
-- Incremental: a run re-reads only the last three days of rentals (a bike still out at the last run
-- may have been docked since) and replaces those rows by rental_id.
{{
    config(
        materialized='incremental',
        unique_key='rental_id',
        on_schema_change='append_new_columns'
    )
}}

select
    r.rental_id,
    r.member_id,
    r.plan,
    r.bike_id,
    r.bike_type,
    r.start_station_id,
    start_station.station_name as start_station_name,
    r.end_station_id,
    end_station.station_name as end_station_name,
    r.started_at,
    r.ended_at,
    r.started_at::date as rental_date,
    r.status,
    r.duration_minutes,
    r.fare_eur,
    r.start_station_id = r.end_station_id as is_round_trip
from {{ ref('int_rentals_priced') }} as r
join {{ ref('stg_stations') }} as start_station on start_station.station_id = r.start_station_id
left join {{ ref('stg_stations') }} as end_station on end_station.station_id = r.end_station_id
{% if is_incremental() %}
where r.started_at >= (select max(started_at) - interval 3 day from {{ this }})
{% endif %}
