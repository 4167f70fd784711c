"""The Airflow glue: what the DAG tasks call (ids and counts in and out, never bodies),
and running the DAGs once through `airflow dags test` for `econsec run`."""
