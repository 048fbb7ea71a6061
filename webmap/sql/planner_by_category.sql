-- The same figures per category.
SELECT category,
-- @stats
FROM f GROUP BY category ORDER BY count(*) DESC
