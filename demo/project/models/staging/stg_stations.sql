-- One row per docking station, renamed from the web shop's export.
select
    id as station_id,
    name as station_name,
    district,
    capacity,
    opened_on,
    latitude,
    longitude
from {{ ref('raw_stations') }}
