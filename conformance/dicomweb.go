package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// dicomBehaviours use the DICOM service with real data.
var dicomBehaviours = []behaviour{
	{"dicom/stow-qido", NeedDICOMService, dicomStoreAndFind},
	{"dicom/reader-cannot-store", NeedDICOMService, dicomReaderCannotStore},
}

// roleToken registers a confidential app with a secret and the given DICOM data role and
// returns its app-only DICOM token, checked to work.
func roleToken(c *Case, roleID string) (*app, string) {
	c.t.Helper()
	a := c.newApp(appSpec{})
	s := c.addSecret(a, time.Time{})
	c.assignRole(a.SPID, "ServicePrincipal", roleID)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "client_secret": {s.SecretText}, "scope": {dicomScope}}
	var tok string
	c.eventually("client-credentials token", func() error {
		a := c.postToken(c.tgt().TenantID, form)
		if a.Status != http.StatusOK {
			return fmt.Errorf("token request refused: %d %s", a.Status, a.Body)
		}
		tok = c.accessToken(a)
		return nil
	})
	c.wantDICOMAccess(tok)
	return a, tok
}

func dicomStoreAndFind(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	st, file := part10(truncate(c.prefix, 64))
	if a := c.store(tok, file); a.Status != http.StatusOK {
		c.Fatalf("STOW-RS of a Part 10 file: got %d, want 200: %s", a.Status, a.Body)
	}
	c.Cleanup("study "+st.StudyUID, func(ctx context.Context) error {
		a, err := c.tgt().doDICOM(ctx, http.MethodDelete, pathStudies+"/"+st.StudyUID, "", nil, tok)
		if err == nil && a.Status/100 != 2 && a.Status != http.StatusNotFound {
			err = fmt.Errorf("delete study: %d %s", a.Status, a.Body)
		}
		return err
	})
	c.eventually("QIDO finds the stored study", func() error {
		found, err := c.findStudy(tok, st.StudyUID)
		if err == nil && !found {
			err = fmt.Errorf("study %s is not in the search answer", st.StudyUID)
		}
		return err
	})
}

func dicomReaderCannotStore(c *Case) {
	_, tok := roleToken(c, roleDICOMDataReader)
	_, file := part10(truncate(c.prefix, 64))
	if a := c.store(tok, file); a.Status != http.StatusForbidden {
		c.Errorf("STOW-RS with DICOM Data Reader: got %d, want 403: %s", a.Status, a.Body)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
