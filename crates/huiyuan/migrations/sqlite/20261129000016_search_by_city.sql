-- A search within a city (a city administrator's, or anyone's with the city filter) reads
-- one dense range of this index, newest first, instead of the term's whole range filtered
-- city by city: a common surname with a city and a category read up to 10,000 entries to
-- count its first 200 matches; now about 900, and 200 without the category.
CREATE INDEX member_term_org_idx ON member_term (term, org_id, member_id, category, status, kind);
