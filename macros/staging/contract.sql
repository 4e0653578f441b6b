{% macro contract_object(system, object) %}
    {#- The contract entry of one raw object, read from the sources file that holds the contract.
        Only available at execution time (dbt's graph is empty while parsing). -#}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ system ~ '.' ~ object) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('the extract contract has no object ' ~ system ~ '.' ~ object) }}
    {%- endif -%}
    {{ return(node) }}
{% endmacro %}
