package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/hosts"
)

// Flag binding, command by command, through runF: no directory, no network, no files.

const fileService = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws/dicomservices/file"

func TestRegisterFlagsOverrideTheManifest(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "reg.yaml")
	if err := os.WriteFile(manifest, []byte("name: from-file\nsecret: true\npublicClient: true\nrole: reader\ndicomService: "+fileService+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, _ := testFactory(map[string]string{EnvDICOMServiceID: "/subscriptions/env"})
	var got *converge.Registration
	cmd := NewCmdRegister(f, func(_ context.Context, o *RegisterOptions) error {
		reg, err := o.resolve()
		got = reg
		return err
	})
	// A boolean flag overrides the manifest too, false included (issue 14 item 4).
	bindOnly(t, cmd, "-f", manifest, "--role", "owner", "--postman", "--redirect-uri", "http://localhost:8400", "--platform", "spa", "--public-client=false")
	want := []converge.RedirectEntry{{URI: "http://localhost:8400", Platform: converge.PlatformSPA}, {URI: converge.PostmanRedirectURI, Platform: converge.PlatformMobile}}
	if got.Name != "from-file" || !got.Secret || got.PublicClient || got.Role != "owner" || got.DicomService != fileService || !slices.Equal(got.RedirectURIs, want) {
		t.Errorf("registration %+v", got)
	}
	// Without a manifest, --dicom-service defaults to the environment.
	cmd = NewCmdRegister(f, func(_ context.Context, o *RegisterOptions) error {
		reg, err := o.resolve()
		got = reg
		return err
	})
	bindOnly(t, cmd, "--name", "viewer", "--secret-out", "v.env")
	if got.DicomService != "/subscriptions/env" || !got.Secret || got.SecretOut != "v.env" {
		t.Errorf("registration %+v", got)
	}
}

func TestCommandFlagBinding(t *testing.T) {
	f, _, _ := testFactory(map[string]string{EnvDICOMServiceID: "/subscriptions/env"})
	t.Run("app update sets only what was named", func(t *testing.T) {
		var o AppUpdateOptions
		bindOnly(t, NewCmdAppUpdate(f, func(_ context.Context, got *AppUpdateOptions) error { o = *got; return nil }), "--app", "viewer", "--public-client=false")
		if o.App != "viewer" || o.PublicClient || !o.Changed("public-client") || o.Changed("name") {
			t.Errorf("%+v", o)
		}
	})
	t.Run("secret rotate", func(t *testing.T) {
		var o SecretAddOptions
		bindOnly(t, NewCmdSecretRotate(f, func(_ context.Context, got *SecretAddOptions) error { o = *got; return nil }),
			"--app", "viewer", "--remove-old", "--end-date", "2030-01-01", "--secret-out", "v.env")
		if o.App != "viewer" || !o.RemoveOld || o.EndDate != "2030-01-01" || o.SecretOut != "v.env" || o.DisplayName != converge.SecretDisplayName {
			t.Errorf("%+v", o)
		}
	})
	t.Run("redirect remove on one platform", func(t *testing.T) {
		var o RedirectOptions
		bindOnly(t, NewCmdRedirectRemove(f, func(_ context.Context, got *RedirectOptions) error { o = *got; return nil }),
			"--app", "viewer", "--redirect-uri", "https://a/cb", "--redirect-uri", "https://b/cb", "--platform", "web")
		if !slices.Equal(o.URIs, []string{"https://a/cb", "https://b/cb"}) || o.Platform != converge.PlatformWeb || !o.Changed("platform") {
			t.Errorf("%+v", o)
		}
	})
	t.Run("role assign takes --app for --assignee and the service from the environment", func(t *testing.T) {
		var o RoleOptions
		bindOnly(t, NewCmdRoleAssign(f, func(_ context.Context, got *RoleOptions) error { o = *got; return nil }), "--app", "viewer", "--role", "reader")
		if o.Assignee != "viewer" || o.Role != "reader" || o.DicomService != "/subscriptions/env" {
			t.Errorf("%+v", o)
		}
	})
	t.Run("permission grant", func(t *testing.T) {
		var o PermissionOptions
		bindOnly(t, NewCmdPermissionGrant(f, func(_ context.Context, got *PermissionOptions) error { o = *got; return nil }),
			"--app", "viewer", "--api", "https://graph.microsoft.com", "--scope", "User.Read")
		if o.App != "viewer" || o.API != "https://graph.microsoft.com" || o.Scope != "User.Read" {
			t.Errorf("%+v", o)
		}
	})
	t.Run("token decode takes the token as its argument", func(t *testing.T) {
		var o TokenDecodeOptions
		bindOnly(t, NewCmdTokenDecode(f, func(_ context.Context, got *TokenDecodeOptions) error { o = *got; return nil }), "a.b.c")
		if o.Token != "a.b.c" {
			t.Errorf("%+v", o)
		}
	})
	t.Run("plugin install", func(t *testing.T) {
		var o PluginOptions
		bindOnly(t, NewCmdPluginInstall(f, func(_ context.Context, got *PluginOptions) error { o = *got; return nil }), "--dir", "/tmp/bin", "--copy", "--kubectl", "--az")
		hs, err := o.hosts()
		if o.Dir != "/tmp/bin" || !o.CopyNoLink || err != nil || len(hs) != 2 || hs[0] != hosts.Az || hs[1] != hosts.Kubectl {
			t.Errorf("%+v: %v %v", o, hs, err)
		}
	})
	t.Run("plugin uninstall names a host", func(t *testing.T) {
		var o PluginOptions
		bindOnly(t, NewCmdPluginUninstall(f, func(_ context.Context, got *PluginOptions) error { o = *got; return nil }))
		if _, err := o.hosts(); ExitCode(err) != 2 {
			t.Errorf("no host flag: %v (exit %d), want a usage error", err, ExitCode(err))
		}
		bindOnly(t, NewCmdPluginUninstall(f, func(_ context.Context, got *PluginOptions) error { o = *got; return nil }), "--all")
		if hs, _ := o.hosts(); len(hs) != 4 {
			t.Errorf("--all: %v", hs)
		}
	})
}
