"""What every part of the night shares: the extract contract, settings, the dbt project and its
arguments, person keys."""
