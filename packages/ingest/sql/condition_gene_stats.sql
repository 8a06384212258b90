-- condition_gene_stats: per (condition, gene) number of cells n, mean and the central moment
-- sums M2 = Σ(x − mean)², M3 = Σ(x − mean)³, M4 = Σ(x − mean)⁴ over ALL cells of the condition
-- (zeros included), and the number of non-zero values — the statistics `gears ingest` computes.
--
-- Input: a relation `cells` with one row per cell, as cells.parquet stores it:
--   condition  VARCHAR    the condition name (canonical: 'ctrl', 'A+ctrl', 'A+B')
--   gene_index INTEGER[]  indices (genes.parquet) of the cell's stored values
--   value      FLOAT[]    the stored (normalised, log1p) values, paired with gene_index
-- Values not stored are zeros; an explicitly stored 0 counts as a zero.
--
-- Numerically stable two-pass form: pass 1 the mean, pass 2 the sums of powers of (x − mean)
-- over the stored values, plus the zeros analytically: each of the n − nonzero zeros adds
-- (0 − mean)^p. No raw power sums (Σx², Σx³, Σx⁴ − … loses every digit when |mean| ≫ sd).
-- Dialect: DuckDB (used by `gears ingest --engine duckdb`). For Spark SQL and Trino only the
-- `stored` step (zipping the two lists) differs; see docs/downstream.md.
WITH cell_counts AS (
  SELECT condition, count(*) AS n
  FROM cells
  GROUP BY condition
),
stored AS (
  SELECT condition, gene_index, CAST(value AS DOUBLE) AS value
  FROM (SELECT condition, unnest(gene_index) AS gene_index, unnest(value) AS value FROM cells)
  WHERE value <> 0
),
means AS (
  SELECT s.condition, s.gene_index, c.n, count(*) AS nonzero, sum(s.value) / c.n AS mean
  FROM stored AS s
  JOIN cell_counts AS c ON c.condition = s.condition
  GROUP BY s.condition, s.gene_index, c.n
),
central AS (
  SELECT s.condition, s.gene_index,
         sum((s.value - m.mean) * (s.value - m.mean)) AS c2,
         sum((s.value - m.mean) * (s.value - m.mean) * (s.value - m.mean)) AS c3,
         sum((s.value - m.mean) * (s.value - m.mean) * (s.value - m.mean) * (s.value - m.mean)) AS c4
  FROM stored AS s
  JOIN means AS m ON m.condition = s.condition AND m.gene_index = s.gene_index
  GROUP BY s.condition, s.gene_index
)
SELECT m.condition,
       m.gene_index,
       m.n,
       m.mean,
       c.c2 + (m.n - m.nonzero) * m.mean * m.mean AS m2,
       c.c3 - (m.n - m.nonzero) * m.mean * m.mean * m.mean AS m3,
       c.c4 + (m.n - m.nonzero) * m.mean * m.mean * m.mean * m.mean AS m4,
       m.nonzero
FROM means AS m
JOIN central AS c ON c.condition = m.condition AND c.gene_index = m.gene_index
ORDER BY m.condition, m.gene_index
