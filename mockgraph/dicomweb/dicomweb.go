// Package dicomweb is the mock DICOM service's DICOMweb endpoint, authorized as the Azure DICOM
// service authorizes: a valid token for the DICOM audience, then an Azure RBAC data role on the
// service (control-plane roles such as Owner grant no data access).
package dicomweb

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/clock"
	"github.com/dicomreg/dicomreg/mockgraph/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/keys"
	"github.com/dicomreg/dicomreg/mockgraph/rng"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
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
type API struct{ cfg Config }

// New returns the DICOMweb surface.
func New(cfg Config) *API { return &API{cfg: cfg} }

// Media types.
const (
	mediaDICOM     = "application/dicom"
	mediaDICOMJSON = "application/dicom+json"
	mediaJSON      = "application/json"
	mediaMultipart = "multipart/related"
)

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
	if version != "v1" && version != "v2" {
		// The Azure DICOM service serves only versioned paths.
		writeError(w, http.StatusBadRequest, "An API version is required in the path: use /v1/ or /v2/ (for example /v2/studies).")
		return
	}
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

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// route dispatches on the resource path: studies[/{study}[/series[/{series}[/instances[/{sop}]]]]][/metadata],
// series, instances, changefeed[/latest].
func (a *API) route(w http.ResponseWriter, r *http.Request, req *request) {
	s := req.segments
	if len(s) == 0 {
		writeError(w, http.StatusNotFound, "Unknown DICOMweb resource.")
		return
	}
	if s[0] == "changefeed" {
		a.changeFeed(w, r, req)
		return
	}
	ids, level, metadata, ok := parseResource(s)
	if !ok {
		writeError(w, http.StatusNotFound, "Unknown DICOMweb resource '%s'.", strings.Join(s, "/"))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case metadata:
			a.metadata(w, req, ids)
		case level == "" || (level != levelInstance && ids.depth() < depthOf(level)) || (level == levelInstance && ids.sop == ""):
			a.search(w, r, req, ids, level)
		default:
			a.retrieve(w, r, req, ids)
		}
	case http.MethodPost:
		if level != levelStudy || ids.series != "" || metadata {
			writeError(w, http.StatusMethodNotAllowed, "Store is POST /studies or /studies/{study}.")
			return
		}
		a.store(w, r, req, ids.study)
	case http.MethodDelete:
		a.delete(w, req, ids)
	default:
		writeError(w, http.StatusMethodNotAllowed, "The method %s is not allowed here.", r.Method)
	}
}

// Levels of the DICOM hierarchy.
const (
	levelStudy    = "studies"
	levelSeries   = "series"
	levelInstance = "instances"
)

type resourceIDs struct{ study, series, sop string }

func (ids resourceIDs) depth() int {
	switch {
	case ids.sop != "":
		return 3
	case ids.series != "":
		return 2
	case ids.study != "":
		return 1
	}
	return 0
}

func depthOf(level string) int {
	switch level {
	case levelStudy:
		return 1
	case levelSeries:
		return 2
	}
	return 3
}

// parseResource reads the path segments into ids and the level asked for; the level is the last
// collection named (a search when its id is absent).
func parseResource(s []string) (ids resourceIDs, level string, metadata bool, ok bool) {
	if n := len(s); n > 0 && s[n-1] == "metadata" {
		metadata, s = true, s[:n-1]
	}
	for i := 0; i < len(s); i += 2 {
		level = s[i]
		var id string
		if i+1 < len(s) {
			id = s[i+1]
		}
		switch {
		case level == levelStudy && i == 0:
			ids.study = id
		case level == levelSeries && (i == 0 || ids.study != ""):
			ids.series = id
		case level == levelInstance && (i == 0 || ids.study != ""):
			ids.sop = id
		default:
			return ids, "", false, false
		}
	}
	return ids, level, metadata, len(s) > 0
}
