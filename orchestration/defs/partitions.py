import dagster as dg

# One partition per nightly extract folder (its date); the run command and, later, the sensor add
# a partition when a folder becomes complete.
extract_dates = dg.DynamicPartitionsDefinition(name="extract_date")
