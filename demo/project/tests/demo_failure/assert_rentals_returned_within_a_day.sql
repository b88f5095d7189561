-- FAILS ON PURPOSE (tag demo_failure, from dbt_project.yml): it shows what a failed dbt run looks like.
-- The rule: a bike is docked again within 24 hours. The demo data has three rentals that kept a bike
-- for longer, so this test returns three rows and fails. The default selector (selectors.yml) leaves
-- it out of plain `dbt build`; run it with `dbt build --select +tag:demo_failure`
-- or `dbt test --select tag:demo_failure`.
select
    rental_id,
    member_id,
    bike_id,
    started_at,
    ended_at,
    round(date_diff('minute', started_at, ended_at) / 60, 1) as hours_out
from {{ ref('fct_rentals') }}
where ended_at > started_at + interval 24 hour
