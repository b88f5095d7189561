-- The dock feed cannot report more bikes and free docks than the station has docks.
select station_id, capacity, bikes_available, bikes_disabled, docks_available
from {{ ref('dim_stations') }}
where bikes_available + bikes_disabled + docks_available > capacity
