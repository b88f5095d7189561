-- The live state of every dock, as its last report in the feed says.
select
    station_id,
    num_bikes_available as bikes_available,
    num_bikes_disabled as bikes_disabled,
    num_docks_available as docks_available,
    is_renting,
    is_returning,
    last_reported
from {{ source('gbfs', 'station_status') }}
