-- Pin the search_path of every function in this schema, so triggers that call helper functions by
-- their unqualified names also work for sessions whose search_path does not include this schema
-- (e.g. a psql session or an acceptance-suite SQL step that uses schema-qualified table names).
DO $$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN
    SELECT p.oid::regprocedure
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = current_schema() AND p.prokind = 'f'
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, public', fn, current_schema());
  END LOOP;
END
$$;
