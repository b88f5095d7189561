-- A bike is docked after it left its dock: a rental ending before it starts is a clock error.
select rental_id, started_at, ended_at
from {{ ref('stg_rentals') }}
where ended_at < started_at
