{% macro load_roast_batches() %}
{#- Stands in for the roaster's loader: replaces the raw feed with batches "just arrived". -#}
create schema if not exists raw;
create or replace table raw.roast_batches as
select * from (values
    (1, 1, 60.0, 'light'),
    (2, 2, 80.0, 'medium'),
    (3, 3, 120.0, 'medium'),
    (4, 6, 45.5, 'dark'),
    (5, 7, 150.0, 'dark'),
    (6, 5, 30.0, 'light')
) as batches(batch_id, product_id, kilograms, roast),
lateral (select now() - interval 2 hour as loaded_at)
{% endmacro %}
