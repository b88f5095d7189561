-- Every rental with the fare its member's plan charges for it (see the fare_rules docs block).
with plans as (
    select * from (values
        ('pay_as_you_go', 1.00, 0, 0.25),
        ('monthly', 0.00, 30, 0.15),
        ('annual', 0.00, 45, 0.10)
    ) as plans(plan, unlock_fee_eur, included_minutes, per_minute_eur)
),

rentals as (
    select
        r.*,
        m.plan
    from {{ ref('stg_rentals') }} as r
    join {{ ref('stg_members') }} as m using (member_id)
)

select
    rentals.rental_id,
    rentals.member_id,
    rentals.plan,
    rentals.bike_id,
    rentals.bike_type,
    rentals.start_station_id,
    rentals.end_station_id,
    rentals.started_at,
    rentals.ended_at,
    rentals.status,
    rentals.duration_minutes,
    case
        when rentals.status = 'in_progress' then null
        else least(
            plans.unlock_fee_eur
            + greatest(rentals.duration_minutes - plans.included_minutes, 0) * plans.per_minute_eur
            + case when rentals.bike_type = 'electric' then rentals.duration_minutes * 0.10 else 0 end,
            {{ var('fare_cap_eur') }}
        )
    end::decimal(8, 2) as fare_eur
from rentals
join plans using (plan)
