"""What analysts run on the published file: the SQL shell (`closecredit sql`), the Parquet export
(`closecredit export`) and the dbt docs (`closecredit docs`). All of them only read the published
file, so they work while a night runs (a night never writes that file in place)."""
