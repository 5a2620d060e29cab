// Package dicomweb is the mock DICOM service's DICOMweb endpoint, authorized as the Azure DICOM
// service authorizes: a valid token for the DICOM audience, then an Azure RBAC data role on the
// service (control-plane roles such as Owner grant no data access).
package dicomweb

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Config is what the DICOMweb surface needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
	// Roles is the service's access decision: the role definitions a principal holds at a
	// scope, as its cache and RBAC propagation let it see them; nil: the directory as it is.
	Roles func(d *tenant.Directory, principal, scope string) []string
}

// API serves DICOMweb.
type API struct {
	cfg    Config
	parsed parsedCache
}

// New returns the DICOMweb surface.
func New(cfg Config) *API { return &API{cfg: cfg} }

// Register adds the DICOMweb routes (under /dicom/{service}/) to r.
func (a *API) Register(r *mux.Router) {
	r.PathPrefix(httpx.DICOMPrefix).Handler(http.HandlerFunc(a.serve))
}

// request is one routed DICOMweb call.
type request struct {
	service  *tenant.DicomService
	version  string   // "v1" or "v2"
	segments []string // the path after the version, split on "/"
	caller   principal
	base     string // service URL, for RetrieveURL
}

// API versions the service answers (api-versioning-dicom-service.md): v1.0-prerelease is
// deprecated; v1.0-prerelease and v1 behave as conformance statement v1, v2 as v2.
const (
	versionPrerelease = "v1.0-prerelease"
	versionV1         = "v1"
	versionV2         = "v2"
	// Headers of ASP.NET API versioning's ReportApiVersions.
	headerSupportedVersions  = "api-supported-versions"
	headerDeprecatedVersions = "api-deprecated-versions"
	supportedVersions        = "1, 2"
	deprecatedVersions       = "1.0-prerelease"
)

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, httpx.DICOMPrefix)
	host, path, _ := strings.Cut(rest, "/")
	var svc *tenant.DicomService
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { svc = d.DicomService(host); return nil })
	if svc == nil {
		writeError(w, http.StatusNotFound, "No DICOM service named '%s' exists here.", host)
		return
	}
	version, path, _ := strings.Cut(path, "/")
	switch version {
	case versionPrerelease, versionV1, versionV2:
	default:
		// Routes without a version are not supported; an unknown version is refused by ASP.NET
		// API versioning.
		writeError(w, http.StatusBadRequest, "The HTTP resource that matches the request URI '%s' does not support the API version '%s'.", r.URL.String(), strings.TrimPrefix(version, "v"))
		return
	}
	h := w.Header()
	h.Set(headerSupportedVersions, supportedVersions)
	h.Set(headerDeprecatedVersions, deprecatedVersions)
	caller, ok := a.authenticate(w, r)
	if !ok {
		return
	}
	req := &request{service: svc, version: version, segments: splitPath(path), caller: caller,
		base: httpx.BaseURL(r) + httpx.DICOMPrefix + svc.HostName() + "/" + version}
	if !a.authorize(w, r, req) {
		return
	}
	a.route(w, r, req)
}

// v2 reports whether the request is answered by conformance statement v2.
func (req *request) v2() bool { return req.version == versionV2 }

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Levels of the DICOM hierarchy.
const (
	levelStudy    = "studies"
	levelSeries   = "series"
	levelInstance = "instances"
)

type resourceIDs struct{ study, series, sop string }

// resource is a parsed DICOMweb path.
type resource struct {
	ids      resourceIDs
	level    string // the last collection named
	search   bool   // the collection's id is absent: a QIDO search
	metadata bool
	frames   string // the frame list after /frames/
	rendered bool
}

// parseResource reads studies[/{study}[/series[/{series}[/instances[/{sop}[/frames/{list}][/rendered]]]]]][/metadata]
// and the top-level series and instances searches.
func parseResource(s []string) (resource, bool) {
	var res resource
	if n := len(s); n > 0 && s[n-1] == "metadata" {
		res.metadata, s = true, s[:n-1]
	} else if n > 0 && s[n-1] == "rendered" {
		res.rendered, s = true, s[:n-1]
	}
	for i := 0; i < len(s); i += 2 {
		name := s[i]
		var id string
		if i+1 < len(s) {
			id = s[i+1]
		}
		switch {
		case name == levelStudy && i == 0:
			res.ids.study = id
		case name == levelSeries && (i == 0 || (i == 2 && res.ids.study != "")):
			res.ids.series = id
		case name == levelInstance && (i == 0 || (i == 2 && res.ids.study != "") || (i == 4 && res.ids.series != "")):
			res.ids.sop = id
		case name == "frames" && i == 6 && res.ids.sop != "" && id != "":
			res.frames = id
			continue
		default:
			return res, false
		}
		res.level, res.search = name, id == ""
	}
	if len(s) == 0 || (res.search && (res.metadata || res.rendered)) || (res.rendered && res.ids.sop == "") {
		return res, false
	}
	// A top-level series or instance id is not a resource (only searches are).
	if s[0] != levelStudy && !res.search {
		return res, false
	}
	return res, true
}

// route dispatches a request on its path and method.
func (a *API) route(w http.ResponseWriter, r *http.Request, req *request) {
	s := req.segments
	if len(s) > 0 && s[0] == "changefeed" {
		a.changeFeed(w, r, req)
		return
	}
	res, ok := parseResource(s)
	if !ok {
		writeError(w, http.StatusNotFound, "The requested resource '%s' was not found.", strings.Join(s, "/"))
		return
	}
	if !validIDs(w, res.ids) {
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case res.search:
			a.search(w, r, req, res.ids, res.level)
		case res.metadata:
			a.metadata(w, r, req, res.ids)
		case res.rendered:
			a.rendered(w, r, req, res)
		case res.frames != "":
			a.frames(w, r, req, res)
		default:
			a.retrieve(w, r, req, res.ids)
		}
	case http.MethodPost:
		if res.level != levelStudy || res.metadata || res.rendered {
			writeError(w, http.StatusMethodNotAllowed, "The method %s is not allowed here.", r.Method)
			return
		}
		a.store(w, r, req, res.ids.study)
	case http.MethodDelete:
		if res.search || res.metadata || res.rendered || res.frames != "" || s[0] != levelStudy {
			writeError(w, http.StatusMethodNotAllowed, "The method %s is not allowed here.", r.Method)
			return
		}
		a.delete(w, req, res.ids)
	default:
		writeError(w, http.StatusMethodNotAllowed, "The method %s is not allowed here.", r.Method)
	}
}

// validIDs refuses a path UID that is not a UID (400, the service's InvalidDicomIdentifier text).
func validIDs(w http.ResponseWriter, ids resourceIDs) bool {
	for _, id := range []struct{ name, v string }{{"StudyInstanceUID", ids.study}, {"SeriesInstanceUID", ids.series}, {"SopInstanceUID", ids.sop}} {
		if id.v != "" && !validUID(id.v) {
			writeError(w, http.StatusBadRequest, msgInvalidIdentifier, id.name, id.v)
			return false
		}
	}
	return true
}

// validUID: 1 to 64 characters, letters, digits, '.' and '-' (conformance statement v2, "Store
// required attributes").
func validUID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
