-- A column's DEFAULT expression (no row: it has none), to put back after bulk mode's COPY.
SELECT pg_get_expr(d.adbin, d.adrelid)
FROM pg_attrdef AS d
JOIN pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
WHERE d.adrelid = %(table)s::regclass AND a.attname = %(column)s;
