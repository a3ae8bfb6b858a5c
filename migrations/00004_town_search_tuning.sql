-- +goose Up
-- Towns are written rarely (imports, confirmed proposals) and searched on
-- every keystroke of a dialogue: new trigram entries go straight into the
-- index instead of a pending list that every search would scan until the
-- next vacuum.
ALTER INDEX town_search_keys_trgm_idx SET (fastupdate = off);

-- +goose Down
ALTER INDEX town_search_keys_trgm_idx RESET (fastupdate);
