-- daily_revenue has one row per day and plan.
select rental_date, plan, count(*) as rows_for_the_day_and_plan
from {{ ref('daily_revenue') }}
group by rental_date, plan
having count(*) > 1
