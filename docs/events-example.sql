-- Recomputes an experiment's per-arm exposures, conversions and revenue from Vane's JSON-lines events
-- (README "Running several instances", Event schemas). Usage, with the jsonl sink's files on stdin:
--   cat /var/lib/vane/events/*.jsonl | psql -X -v experiment=e -f docs/events-example.sql
-- Binary metric `click`: conversions = accepted events with "counted": true (value 1), rate = conversions /
-- exposures, as the results API's successes / trials. Continuous metric `revenue`: count and mean of the values.
\set ON_ERROR_STOP on
create temp table raw (line jsonb);
-- CSV with a quote and a delimiter that JSON text never holds: each line is one value, backslashes kept as they are
\copy raw (line) from pstdin with (format csv, quote e'\x01', delimiter e'\x02')
create temp view exposures as
  select line->>'version' as version, line->>'arm' as arm, count(*) as exposures
  from raw where line->>'kind' = 'exposure' and line->>'experiment' = :'experiment'
  group by 1, 2;
create temp view feedback as
  select line->>'version' as version, line->>'arm' as arm,
         count(*) filter (where line->>'metric' = 'click' and (line->>'counted')::boolean) as conversions,
         count(*) filter (where line->>'metric' = 'revenue') as revenue_n,
         avg((line->>'value')::float8) filter (where line->>'metric' = 'revenue') as revenue_mean
  from raw where line->>'kind' = 'feedback' and line->>'experiment' = :'experiment'
  group by 1, 2;
select e.version, e.arm, e.exposures, coalesce(f.conversions, 0) as conversions,
       round(coalesce(f.conversions, 0)::numeric / e.exposures, 4) as rate,
       coalesce(f.revenue_n, 0) as revenue_n, round(f.revenue_mean::numeric, 4) as revenue_mean
from exposures e left join feedback f using (version, arm)
order by e.version, e.arm;
