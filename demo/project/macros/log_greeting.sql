{% macro log_greeting() %}
{#- Shows which value of DBT_DEMO_GREETING a run received (project, environment or job level). -#}
{{ log("greeting: " ~ env_var("DBT_DEMO_GREETING", "unset"), info=True) }}
{% endmacro %}
