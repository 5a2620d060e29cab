package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFailedUpdateChangesNothing: an Update that fails after changing tables, maps, indexes and
// the change feed leaves the directory exactly as it was.
func TestFailedUpdateChangesNothing(t *testing.T) {
	s := NewStore(seeded(t))
	if err := s.Update(func(d *Directory) error {
		d.PutDicomInstance(&DicomInstance{Service: "ws-svc", StudyInstanceUID: "1", SeriesInstanceUID: "1.1", SOPInstanceUID: "1.1.1", Data: []byte{1}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var before []byte
	_ = s.View(func(d *Directory) (err error) { before, err = MarshalState(d); return err })
	boom := errors.New("boom")
	err := s.Update(func(d *Directory) error {
		d.PutApplication(&Application{ID: "new", AppID: "new-app", DisplayName: "dicomreg-mock-admin", IdentifierURIs: []string{"api://x"}})
		admin := d.ApplicationByAppID(d.Seeded.AdminAppID).Clone()
		admin.DisplayName, admin.PasswordCredentials = "renamed", nil
		d.PutApplication(admin)
		d.DeleteServicePrincipal(d.Seeded.DICOMPrincipalID)
		d.SetSecretHash("k", []byte{1})
		d.PutUser(&User{ID: d.Seeded.TestUserID, UserPrincipalName: "other@x"}, "pw")
		d.PutDicomInstance(&DicomInstance{Service: "ws-svc", StudyInstanceUID: "2", SeriesInstanceUID: "2.1", SOPInstanceUID: "1.1.1"})
		d.DeleteDicomInstance("ws-svc", "1.1.1", ChangeFeedEntry{})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	var after []byte
	_ = s.View(func(d *Directory) (err error) {
		after, err = MarshalState(d)
		if d.ApplicationByAppID("new-app") != nil || d.ApplicationByIdentifierURI("api://x") != nil {
			t.Error("the new app's indexes survived")
		}
		if got := d.ApplicationsByDisplayName("dicomreg-mock-admin"); len(got) != 1 || got[0].AppID != d.Seeded.AdminAppID {
			t.Errorf("name index: %+v", got)
		}
		if sp := d.ServicePrincipalByName(DICOMResource); sp == nil || sp.ID != d.Seeded.DICOMPrincipalID {
			t.Error("the DICOM principal's name was not restored")
		}
		if admin := d.ApplicationByAppID(d.Seeded.AdminAppID); d.MatchSecret(admin, d.Seeded.AdminSecret) == nil {
			t.Error("the admin secret's hash was not restored")
		}
		if u := d.UserByUPN(d.Seeded.TestUsername); u == nil || !d.CheckPassword(u, d.Seeded.TestPassword) {
			t.Error("the user was not restored")
		}
		if got := d.DicomInstancesOfStudy("ws-svc", "1"); len(got) != 1 {
			t.Errorf("study index: %d instances", len(got))
		}
		return err
	})
	if !bytes.Equal(before, after) {
		t.Errorf("directory changed:\nbefore %s\nafter  %s", before, after)
	}
}

// TestFullDiskLosesNothingAcknowledged: with the state store failing as a full disk does, a
// write returns ErrNotPersisted and leaves nothing in memory or on disk; once the disk has room
// the same write succeeds once.
func TestFullDiskLosesNothingAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openTestStore(t, path)
	put := func(d *Directory) error {
		d.PutApplication(&Application{ID: "app-1", AppID: "client-1", DisplayName: "once"})
		return nil
	}
	s.FailWrites(syscall.ENOSPC)
	if err := s.Update(put); !errors.Is(err, ErrNotPersisted) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Update on a full disk: %v", err)
	}
	_ = s.View(func(d *Directory) error {
		if d.ApplicationByAppID("client-1") != nil {
			t.Error("a write that failed to persist is in memory")
		}
		return nil
	})
	s.FailWrites(nil)
	if err := s.Update(put); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := openTestStore(t, path)
	_ = again.View(func(d *Directory) error {
		if got := d.ApplicationsByDisplayName("once"); len(got) != 1 {
			t.Errorf("%d apps after the retry, want 1", len(got))
		}
		return nil
	})
}

// TestUnwritableStateDirectory: a state path the OS refuses is an error at start, naming the file.
func TestUnwritableStateDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "state.db")
	_, err := OpenStore(path, func() (*Directory, error) { return seeded(t), nil })
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("OpenStore under a file: %v", err)
	}
}

// TestStateStoreKeepsOrderAndBlobs: deletes, replacements and new rows reload in the order the
// directory lists them, DICOM bytes included, and a write touches only its own records.
func TestStateStoreKeepsOrderAndBlobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := openTestStore(t, path)
	for _, id := range []string{"a", "b", "c", "d"} {
		if err := s.Update(func(d *Directory) error {
			d.PutApplication(&Application{ID: id, AppID: "app-" + id, DisplayName: id})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	blob := bytes.Repeat([]byte{7}, 1<<20)
	if err := s.Update(func(d *Directory) error {
		d.DeleteApplication("b")
		c := d.Application("c").Clone()
		c.DisplayName = "c2"
		d.PutApplication(c)
		d.PutApplication(&Application{ID: "e", AppID: "app-e", DisplayName: "e"})
		d.PutDicomInstance(&DicomInstance{Service: "ws-svc", StudyInstanceUID: "1", SeriesInstanceUID: "1.1", SOPInstanceUID: "1.1.1", Data: blob})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := names(s)
	s.Close()
	again := openTestStore(t, path)
	if got := names(again); got != want {
		t.Fatalf("reloaded order %q, want %q", got, want)
	}
	if err := again.Update(func(d *Directory) error {
		d.PutApplication(&Application{ID: "f", AppID: "app-f", DisplayName: "f"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want = names(again)
	again.Close()
	third := openTestStore(t, path)
	if got := names(third); got != want {
		t.Fatalf("after a reload and a write: %q, want %q", got, want)
	}
	_ = third.View(func(d *Directory) error {
		if in := d.DicomInstance("ws-svc", "1.1.1"); in == nil || !bytes.Equal(in.Data, blob) {
			t.Error("DICOM bytes not restored")
		}
		return nil
	})
}

func names(s *Store) string {
	var out []string
	_ = s.View(func(d *Directory) error {
		for _, a := range d.Applications() {
			out = append(out, a.DisplayName)
		}
		return nil
	})
	return strings.Join(out, ",")
}

func openTestStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := OpenStore(path, func() (*Directory, error) { return seeded(t), nil })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestInconsistentStateIsRefused: a state that decodes but cannot be a directory is refused
// with an error naming the entry.
func TestInconsistentStateIsRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(s *snapshot)
		want string
	}{
		"duplicate id": {func(s *snapshot) { s.Applications = append(s.Applications, s.Applications[0]) }, "have the same id"},
		"duplicate appId": {func(s *snapshot) {
			c := *s.Applications[0]
			c.ID = "other"
			s.Applications = append(s.Applications, &c)
		}, "have the same appId"},
		"empty id":   {func(s *snapshot) { s.ServicePrincipals[0].ID = "" }, "servicePrincipals[0] has an empty id"},
		"bad tenant": {func(s *snapshot) { s.TenantID = "not-a-guid" }, `tenant id "not-a-guid" is not a GUID`},
		"null":       {func(s *snapshot) { s.Users = append(s.Users, nil) }, "users[1] is null"},
	} {
		t.Run(name, func(t *testing.T) {
			d := seeded(t)
			s := snapshot{Version: jsonStateVersion, TenantID: d.TenantID, Applications: d.Applications(), ServicePrincipals: d.ServicePrincipals(), Users: d.Users()}
			tc.edit(&s)
			data := mustJSON(t, s)
			if _, err := UnmarshalState(data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UnmarshalState: %v, want %q", err, tc.want)
			}
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := OpenStore(path, nil); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("OpenStore: %v", err)
			}
		})
	}
}

// TestOpenRemovesStaleTemps: temporary files a killed save left beside the state are removed,
// and an old one-file JSON state is imported.
func TestOpenRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	data, err := MarshalState(seeded(t))
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".state.json.tmp-123456")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openTestStore(t, path)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	_ = s.View(func(d *Directory) error {
		if d.UserByUPN(d.Seeded.TestUsername) == nil {
			t.Error("the JSON state was not imported")
		}
		return nil
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
