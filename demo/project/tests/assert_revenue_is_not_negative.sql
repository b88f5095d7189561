-- Revenue can only be zero or more: a negative day means a price or quantity went wrong.
select order_date, revenue
from {{ ref('daily_revenue') }}
where revenue < 0
