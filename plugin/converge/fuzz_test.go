package converge

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzManifest feeds register's -f reader arbitrary YAML/JSON: an error or a registration that
// validates (or is refused) cleanly, never a panic.
func FuzzManifest(f *testing.F) {
	f.Add([]byte("name: viewer\npostman: true\nredirectUris:\n  - uri: http://localhost:8400\n    platform: mobile\nrole: owner\ndicomService: /subscriptions/x\n"))
	f.Add([]byte(`{"name":"v","secret":true,"secretOut":"v.env","redirectUris":[{"uri":"x","platform":"desktop"}]}`))
	f.Add([]byte("name: [1, 2]\nunknown: 3\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var reg Registration
		if err := LoadManifest(data, &reg); err != nil {
			return
		}
		_ = reg.Validate()
	})
}

// FuzzPendingSecret feeds the --secret-out file reader (a file a user may have edited) arbitrary
// content: it finds a pending secret only for the right app and only with a dicomreg name.
func FuzzPendingSecret(f *testing.F) {
	f.Add([]byte("# " + pendingSecretMarker + "dicomreg-abc\nAZURE_TENANT_ID=t\nAZURE_CLIENT_ID=app\n"))
	f.Add([]byte("AZURE_TENANT_ID=t\nAZURE_CLIENT_ID=app\nAZURE_CLIENT_SECRET=s\n"))
	f.Add([]byte("# " + pendingSecretMarker + "not-ours\nAZURE_CLIENT_ID=app\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "client.env")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		name, err := PendingSecret(path, "app")
		if err == nil && name != "" && !IsDicomregSecret(name) {
			t.Fatalf("pending %q is not a name register gives", name)
		}
	})
}
