-- One row per member: who they are, where they ride from, and what they have spent.
with rentals as (
    select
        member_id,
        count(*) as rentals,
        sum(duration_minutes)::bigint as ride_minutes,
        sum(fare_eur) as spend_eur,
        min(started_at) as first_rental_at,
        max(started_at) as last_rental_at
    from {{ ref('fct_rentals') }}
    group by member_id
)

select
    m.member_id,
    m.member_name,
    m.plan,
    m.home_station_id,
    home.station_name as home_station_name,
    m.joined_on,
    m.birth_year,
    coalesce(rentals.rentals, 0) as rentals,
    coalesce(rentals.ride_minutes, 0) as ride_minutes,
    coalesce(rentals.spend_eur, 0)::decimal(10, 2) as spend_eur,
    rentals.first_rental_at,
    rentals.last_rental_at,
    rentals.member_id is not null as is_active
from {{ ref('stg_members') }} as m
left join {{ ref('stg_stations') }} as home on home.station_id = m.home_station_id
left join rentals using (member_id)
