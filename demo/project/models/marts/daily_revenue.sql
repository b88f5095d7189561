-- Rentals, ride minutes and fares per day and plan; rentals still out are not billed yet.
select
    rental_date,
    plan,
    count(*) as rentals,
    count(*) filter (where bike_type = 'electric') as electric_rentals,
    sum(duration_minutes)::bigint as ride_minutes,
    sum(fare_eur)::decimal(10, 2) as revenue_eur
from {{ ref('fct_rentals') }}
where status = 'completed'
group by rental_date, plan
