-- Word search: places_search() (migration 1121) resolves the typed words against the
-- vocabulary, takes a bounded candidate set and ranks it, in one round trip.
-- Bound: :q, :lon, :lat (map centre or NULL), :scope (jurisdiction ids or NULL), :limit,
-- :few_names, :nearest_names (places/search.py says what they bound).
SELECT * FROM places_search(:q, CAST(:lon AS float8), CAST(:lat AS float8),
                            CAST(:scope AS int[]), :limit, :few_names, :nearest_names)
ORDER BY "position"
