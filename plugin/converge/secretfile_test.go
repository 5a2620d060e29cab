package converge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Item 1 of issue 14: if the claimed file cannot be written after Graph made the secret after all
// (its directory vanished), the value and its keyId go to the output instead of being lost.
func TestDeliverSecretNeverLosesTheValue(t *testing.T) {
	e, said := testEngine(newFakeDirectory())
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	claim, err := SecretFile{Path: filepath.Join(dir, "x.env")}.Claim("tenant-1", "app-1", "dicomreg-x")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	cred := &PasswordCredential{KeyID: "key-1", DisplayName: "dicomreg-x", SecretText: "s3cr3t-value-0123456789"}
	shown, file, err := e.DeliverSecret(claim, "tenant-1", "app-1", cred)
	if err == nil || shown != cred.SecretText || file != "" {
		t.Fatalf("shown %q file %q err %v: want the value in the output and the error", shown, file, err)
	}
	if all := strings.Join(*said, "\n"); !strings.Contains(all, "key-1") || !strings.Contains(all, "in the output instead") {
		t.Errorf("the warning does not name the keyId and where the value went: %s", all)
	}
}

// A file dicomreg announced for an app is the one PendingSecret reports — in the old format (no
// export lines) too.
func TestPendingSecretReadsBothFormats(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"new": "# dicomreg: pending client secret dicomreg-abc\nexport AZURE_TENANT_ID=t\nexport AZURE_CLIENT_ID=app\n",
		"old": "# dicomreg: pending client secret dicomreg-abc\nAZURE_TENANT_ID=t\nAZURE_CLIENT_ID=app\n",
	} {
		path := filepath.Join(dir, name+".env")
		os.WriteFile(path, []byte(content), 0o600)
		if got, err := PendingSecret(path, "app"); err != nil || got != "dicomreg-abc" {
			t.Errorf("%s: %q %v", name, got, err)
		}
		if got, _ := PendingSecret(path, "other-app"); got != "" {
			t.Errorf("%s: pending %q for another app", name, got)
		}
	}
}
