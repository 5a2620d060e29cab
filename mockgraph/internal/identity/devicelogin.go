package identity

import (
	"net/http"
	"strings"
)

// handleDeviceLogin is the page a person opens at verification_uri: enter the code, sign in,
// consent. Its sign-in and consent steps are the authorize page's.
func (s *Service) handleDeviceLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		s.renderPage(w, http.StatusOK, page{Title: "Enter code", Step: "code", Action: r.URL.Path,
			Message: "Enter the code displayed on your app or device."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, badRequest(errInvalidRequest, codeInvalidParameter, "The form could not be read."))
		return
	}
	if r.PostForm.Get(fieldCtx) != "" {
		s.continueInteraction(w, r)
		return
	}
	userCode := strings.ToUpper(strings.TrimSpace(r.PostForm.Get(fieldUserCode)))
	g, err := s.pendingDevice(userCode)
	if err != nil {
		s.renderPage(w, http.StatusOK, page{Title: "Enter code", Step: "code", Action: r.URL.Path,
			Error: "That code didn't work. Check the code and try again."})
		return
	}
	var name string
	if cl := s.clientName(g.ClientID); cl != "" {
		name = cl
	}
	s.showSignIn(w, &authorizeRequest{Device: true, UserCode: userCode, ClientID: g.ClientID, ClientName: name,
		Scope: g.Scope, Ver: g.Ver, Action: r.URL.Path}, "", "")
}
