package postman

import (
	"encoding/json"
	"strings"
)

// A caller rewriting the files for the same app (dicomreg register run again) may replace what
// this package built without --force; anything else at the path needs --force. The app is
// known by its display name, compared as Graph's filter compares it, without case.

// EnvironmentOurs says whether data is an environment this package built for the app named
// app, which a rewrite for that app may replace without --force. One that holds a client secret
// is replaced only by one that carries a secret too (withSecret), so a rerun that made no new
// secret does not wipe the only copy of the old one.
func EnvironmentOurs(data []byte, app string, withSecret bool) bool {
	var e struct {
		Name          string     `json:"name"`
		ExportedUsing string     `json:"_postman_exported_using"`
		Values        []envValue `json:"values"`
	}
	if json.Unmarshal(data, &e) != nil || e.ExportedUsing != exportedUsing || !strings.EqualFold(e.Name, environmentName(app)) {
		return false
	}
	for _, v := range e.Values {
		if v.Key == VarClientSecret && v.Value != "" && !withSecret {
			return false
		}
	}
	return true
}

// CollectionOurs says whether data is a collection this package built for the app named app,
// which a rewrite for that app may replace without --force.
func CollectionOurs(data []byte, app string) bool {
	var c struct {
		Info struct {
			Name   string `json:"name"`
			Schema string `json:"schema"`
		} `json:"info"`
	}
	return json.Unmarshal(data, &c) == nil && c.Info.Schema == collectionSchema && strings.EqualFold(c.Info.Name, collectionName(app))
}
