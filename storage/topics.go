package storage

import "slices"

// Topics are the ids of the subjects partnerships work on, shared by
// volunteer profiles (interests) and projects. Their names live in
// locales/ as "topic_<id>". Ids are stored: never rename one.
var Topics = []string{
	"youth", "culture", "education", "health", "energy", "water",
	"reconstruction", "funding", "sport", "environment",
}

// ProfileLanguages are the ISO 639-1 codes of the languages a volunteer or
// a project team can say they speak. Their names live in locales/ as
// "lang_<code>".
var ProfileLanguages = []string{"de", "uk", "fr", "sv", "en", "pl"}

// ValidTopic reports whether id is one of Topics.
func ValidTopic(id string) bool { return slices.Contains(Topics, id) }

// ValidProfileLanguage reports whether code is one of ProfileLanguages.
func ValidProfileLanguage(code string) bool { return slices.Contains(ProfileLanguages, code) }
