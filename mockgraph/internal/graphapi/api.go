// Package graphapi is the mock Microsoft Graph v1.0 over the tenant directory: applications
// (with secrets and certificates), service principals, app role assignments, delegated
// permission grants and the organization, with Graph's payloads, query options, errors,
// authorization and replication lag.
package graphapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Config is what the Graph surface needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
	// ReplicationDelay is how long a new object stays invisible to reads by id and to service
	// principal creation; nil or zero: none.
	ReplicationDelay func() time.Duration
}

// API serves Graph.
type API struct{ cfg Config }

// New returns the Graph surface.
func New(cfg Config) *API { return &API{cfg: cfg} }

// Paths under /v1.0. Objects are addressed by id (`/{id}`) or by an alternate key
// (`(appId='…')`, `(uniqueName='…')`), which mux sees as the {key} suffix of the set's name.
const (
	keySuffix = `{key:\([^/]*\)}`

	pathApplications      = "/applications"
	pathApplication       = "/applications/{id}"
	pathApplicationKey    = "/applications" + keySuffix
	pathAddPassword       = "/addPassword"
	pathRemovePassword    = "/removePassword"
	pathServicePrincipals = "/servicePrincipals"
	pathServicePrincipal  = "/servicePrincipals/{id}"
	pathServicePrinKey    = "/servicePrincipals" + keySuffix
	pathAssignments       = "/appRoleAssignments"
	pathAssignedTo        = "/appRoleAssignedTo"
	pathAssignmentID      = "/{assignment}"
	pathGrants            = "/oauth2PermissionGrants"
	pathGrant             = "/oauth2PermissionGrants/{id}"
	pathOrganization      = "/organization"
	pathOrganizationID    = "/organization/{id}"
)

// handler serves one operation; an error it returns is written in Graph's error shape.
type handler func(w http.ResponseWriter, r *http.Request) error

type methods map[string]handler

// Register adds the Graph routes (under /v1.0) to r.
func (a *API) Register(r *mux.Router) {
	sub := r.PathPrefix(httpx.GraphPrefix).Subrouter()
	sub.Use(a.middleware)
	routes := []struct {
		path string
		m    methods
	}{
		{pathApplications, methods{http.MethodGet: a.listApplications, http.MethodPost: a.createApplication}},
		{pathOrganization, methods{http.MethodGet: a.listOrganization}},
		{pathOrganizationID, methods{http.MethodGet: a.getOrganization}},
		{pathServicePrincipals, methods{http.MethodGet: a.listServicePrincipals, http.MethodPost: a.createServicePrincipal}},
		{pathGrants, methods{http.MethodGet: a.listGrants, http.MethodPost: a.createGrant}},
		{pathGrant, methods{http.MethodGet: a.getGrant, http.MethodPatch: a.patchGrant, http.MethodDelete: a.deleteGrant}},
		{pathGetByIDs, methods{http.MethodPost: a.getByIDs}},
	}
	for _, app := range []string{pathApplicationKey, pathApplication} {
		routes = append(routes, []struct {
			path string
			m    methods
		}{
			{app, methods{http.MethodGet: a.getApplication, http.MethodPatch: a.patchApplication, http.MethodDelete: a.deleteApplication}},
			{app + pathAddPassword, methods{http.MethodPost: a.addPassword}},
			{app + pathRemovePassword, methods{http.MethodPost: a.removePassword}},
		}...)
	}
	for _, sp := range []string{pathServicePrinKey, pathServicePrincipal} {
		routes = append(routes, []struct {
			path string
			m    methods
		}{
			{sp, methods{http.MethodGet: a.getServicePrincipal, http.MethodDelete: a.deleteServicePrincipal}},
			{sp + pathAssignments, methods{http.MethodGet: a.listAssignments(false), http.MethodPost: a.createAssignment(false)}},
			{sp + pathAssignedTo, methods{http.MethodGet: a.listAssignments(true), http.MethodPost: a.createAssignment(true)}},
			{sp + pathAssignments + pathAssignmentID, methods{http.MethodGet: a.getAssignment(false), http.MethodDelete: a.deleteAssignment(false)}},
			{sp + pathAssignedTo + pathAssignmentID, methods{http.MethodGet: a.getAssignment(true), http.MethodDelete: a.deleteAssignment(true)}},
		}...)
	}
	for _, rt := range routes {
		sub.Handle(rt.path, a.dispatch(rt.m))
	}
	a.registerFederated(sub)
	sub.PathPrefix("/").Handler(a.serve(unknownSegment))
}

// middleware gives every answer its request ids and checks the bearer token before any handler.
func (a *API) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := a.cfg.Rand.GUID()
		w.Header().Set(headerRequestID, id)
		crid := r.Header.Get(headerClientRequestID)
		if crid == "" {
			crid = id
		}
		w.Header().Set(headerClientRequestID, crid)
		authed, err := a.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", challenge(r))
			a.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, authed)
	})
}

func (a *API) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// dispatch picks the handler for the request's method; Graph answers other methods with 405.
func (a *API) dispatch(m methods) http.Handler {
	return a.serve(func(w http.ResponseWriter, r *http.Request) error {
		h, ok := m[r.Method]
		if !ok {
			return newErr(http.StatusMethodNotAllowed, codeRequestBadRequest, msgMethod)
		}
		return h(w, r)
	})
}

// unknownSegment answers a path Graph has no resource for, naming its last segment.
func unknownSegment(_ http.ResponseWriter, r *http.Request) error {
	path := strings.TrimSuffix(r.URL.Path, "/")
	return newErr(http.StatusBadRequest, codeBadRequest, "Resource not found for the segment '%s'.", path[strings.LastIndex(path, "/")+1:])
}
