-- One row per member, the name trimmed and the plan lower-cased.
select
    id as member_id,
    trim(full_name) as member_name,
    lower(plan) as plan,
    home_station_id,
    joined_on,
    birth_year
from {{ ref('raw_members') }}
