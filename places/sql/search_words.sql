-- What each typed word may mean, from the vocabulary of indexed name words (place_words):
-- the word itself, its most frequent completions (the word being typed), and for words of
-- four letters or more that no name has, its nearest words by trigram similarity (typos).
-- Bound: :q. Returns two tsqueries of exact words (every typed word matched, any typed
-- word) and, from the words' name counts, an upper bound of how many names each matches.
WITH typed AS (
    -- unnest of a constant array: the planner knows how many words there are.
    SELECT t.w COLLATE "C" AS w, t.ord
    FROM unnest(regexp_split_to_array(places_normalise(:q), ' ')) WITH ORDINALITY AS t(w, ord)
    WHERE t.w <> ''
), filtering AS (
    -- A last word of one or two letters after others ("masjid a") is still being typed:
    -- it ranks (search.sql scores every typed word) but does not filter.
    SELECT * FROM typed
    WHERE NOT (ord > 1 AND ord = (SELECT max(ord) FROM typed) AND length(w) < 3)
), meant AS (
    SELECT filtering.ord, m.word, coalesce(m.ndoc, 0) AS ndoc
    FROM filtering CROSS JOIN LATERAL (
        SELECT filtering.w AS word,
               (SELECT ndoc FROM place_words WHERE word = filtering.w) AS ndoc
        UNION
        (SELECT word, ndoc FROM place_words
         WHERE length(filtering.w) >= 3 AND word >= filtering.w AND word < filtering.w || '~'
         ORDER BY ndoc DESC, word LIMIT 20)
        UNION
        -- A one- or two-letter prefix completes only to words several names share.
        (SELECT word, ndoc FROM place_words
         WHERE length(filtering.w) < 3 AND ndoc >= 3
           AND word >= filtering.w AND word < filtering.w || '~'
         ORDER BY ndoc DESC, word LIMIT 20)
        UNION
        (SELECT word, ndoc FROM place_words
         WHERE length(filtering.w) >= 4 AND word % filtering.w
           -- Only a word no name starts with is read as a typo ("indomart", "kanujosso").
           AND NOT EXISTS (SELECT 1 FROM place_words known
                           WHERE known.word >= filtering.w AND known.word < filtering.w || '~')
         ORDER BY word <-> filtering.w, word LIMIT 5)
    ) m
), per_word AS (
    SELECT ord, '(' || string_agg(word, ' | ' ORDER BY word) || ')' AS alternatives,
           sum(ndoc) AS names
    FROM meant GROUP BY ord
)
SELECT string_agg(alternatives, ' & ' ORDER BY ord) AS every_word,
       string_agg(alternatives, ' | ' ORDER BY ord) AS any_word,
       min(names) AS every_word_names, sum(names) AS any_word_names
FROM per_word
