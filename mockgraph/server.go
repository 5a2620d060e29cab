// Package mockgraph is an offline stand-in for what registering a DICOM client touches: Microsoft
// Graph, the Entra ID token service, Azure RBAC/ARM and a DICOMweb endpoint, on one HTTPS listener
// with a CA it generates. Use it as a process (`mockgraph serve`) or as a Go library:
//
//	srv := mockgraph.Start(t)
//	cred, _ := azidentity.NewClientSecretCredential(srv.TenantID(), srv.Seeded().AdminAppID, srv.Seeded().AdminSecret, srv.CredentialOptions())
//
// It is a test server: it says so, binds loopback by default, and must never stand in for Entra.
package mockgraph

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/arm"
	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb"
	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tlsca"
	"github.com/dicomreg/dicomreg/mockgraph/internal/workload"
)

// seedAge is how long before start the seeded tenant was made.
const seedAge = 24 * time.Hour

// Server is a running mock.
type Server struct {
	opts     Options
	seed     uint64
	clock    *clock.Adjustable
	rand     *rng.Source
	store    *tenant.Store
	keys     *keys.Keys
	keyFile  string // where rotations are kept ("" when none: without a state file)
	ca       *tlsca.CA
	caFile   string
	identity *identity.Service
	faults   *faultInjector
	counter  *requestCounter
	prop     *propagation.Model
	listener net.Listener
	http     *http.Server
	url      string
	control  string // the control API's bearer token, random per start
	done     chan error
	tempDir  string
	initial  *tenant.Directory // the directory as started, for the control API's reset (never changed)

	clientOnce sync.Once
	client     *http.Client // Client's, shared like httptest.Server's

	roll rollover // signing-key rotation schedule
}

// New builds and starts a server; it is serving when New returns.
func New(opt ...Option) (*Server, error) {
	var o Options
	for _, f := range opt {
		f(&o)
	}
	return NewWithOptions(o)
}

// NewWithOptions is New for callers that fill Options themselves (the serve command).
func NewWithOptions(o Options) (*Server, error) {
	s := &Server{opts: o, counter: newRequestCounter(), done: make(chan error, 1)}
	if o.Seed != nil {
		s.seed, s.rand = *o.Seed, rng.New(*o.Seed)
	} else {
		s.rand, s.seed = rng.NewRandom()
	}
	s.clock = o.Clock
	if s.clock == nil {
		s.clock = clock.New()
	}
	delays := o.Propagation
	delays.Graph = max(delays.Graph, o.ReplicationDelay)
	s.prop = propagation.New(s.clock, delays)
	s.faults = &faultInjector{f: o.Faults, rand: s.rand, clock: s.clock, sleep: time.Sleep}
	s.control = rand.Text()

	var err error
	if s.store, err = s.openStore(); err != nil {
		return nil, err
	}
	_ = s.store.View(func(d *tenant.Directory) error { s.initial = d.Copy(); return nil })
	keyFile := o.KeyFile
	if keyFile == "" && o.StatePath != "" {
		keyFile = defaultKeyFile(o.StatePath)
	}
	priv, err := signingKey(keyFile)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	shared, err := tokenKeys(priv)
	if err != nil {
		return nil, err
	}
	s.keys = shared.Fork() // this server's rollovers are its own
	if o.StatePath != "" && keyFile != "-" {
		// With a state file the key file is this server's own: it keeps the keys rotations made,
		// so tokens signed before a restart validate after it, as they do across Entra's.
		s.keyFile = keyFile
		ring, err := readKeyFile(keyFile)
		if err != nil {
			return nil, err
		}
		if err := s.keys.Restore(ring); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", keyFile, err)
		}
	}
	if s.ca, err = tlsca.New(now.AddDate(0, 0, -1)); err != nil {
		return nil, err
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	if err := s.writeCAFile(); err != nil {
		s.listener.Close()
		return nil, err
	}
	headerTimeout := o.ReadHeaderTimeout
	if headerTimeout == 0 {
		headerTimeout = 10 * time.Second
	}
	s.http = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          discardLog(),
	}
	go func() { s.done <- s.http.Serve(s.listener) }()
	return s, nil
}

func (s *Server) openStore() (*tenant.Store, error) {
	seed := func() (*tenant.Directory, error) {
		// The seeded tenant predates the server by a day, so a replication delay never hides it.
		return tenant.Seed(s.rand, tenant.SeedOptions{TenantID: s.opts.TenantID, Now: s.clock.Now().Add(-seedAge), NoDICOMPrincipal: s.opts.NoDICOMPrincipal}), nil
	}
	if s.opts.StatePath == "" {
		d, _ := seed()
		return tenant.NewStore(d), nil
	}
	st, err := tenant.OpenStore(s.opts.StatePath, seed)
	if err != nil {
		return nil, err
	}
	if s.opts.TenantID != "" {
		var have string
		_ = st.View(func(d *tenant.Directory) error { have = d.TenantID; return nil })
		if have != s.opts.TenantID {
			return nil, fmt.Errorf("state file %s holds tenant %s, not %s", s.opts.StatePath, have, s.opts.TenantID)
		}
	}
	return st, nil
}

func (s *Server) listen() error {
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	host := "127.0.0.1"
	if h, _, err := net.SplitHostPort(addr); err == nil && h != "" && h != "0.0.0.0" && h != "::" {
		host = h
	}
	names := append([]string{"127.0.0.1", "localhost", "::1"}, s.opts.TLSNames...)
	if net.ParseIP(host) == nil || !isLoopback(host) {
		names = append(names, host)
	}
	cert, err := s.ca.Issue(names, s.clock.Now().AddDate(0, 0, -1))
	if err != nil {
		ln.Close()
		return err
	}
	s.listener = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}})
	s.url = "https://" + net.JoinHostPort(host, strconv.Itoa(port))
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func (s *Server) writeCAFile() error {
	s.caFile = s.opts.CAFile
	if s.caFile == "" {
		dir, err := os.MkdirTemp("", "mockgraph-")
		if err != nil {
			return err
		}
		s.tempDir = dir
		s.caFile = filepath.Join(dir, "ca.pem")
	}
	return writeFileAtomic(s.caFile, s.ca.CertPEM(), 0o644)
}

// handler composes the surfaces on one router: fixed prefixes first, identity's /{tenant}/… last.
func (s *Server) handler() http.Handler {
	r := mux.NewRouter()
	s.registerControl(r)
	s.registerRealism(r)
	graphapi.New(graphapi.Config{Store: s.store, Keys: s.keys, Clock: s.clock, Rand: s.rand, ReplicationDelay: s.ReplicationDelay}).Register(r)
	arm.New(arm.Config{Store: s.store, Keys: s.keys, Clock: s.clock, Rand: s.rand, RoleEffective: s.roleEffective}).Register(r)
	dicomweb.New(dicomweb.Config{Store: s.store, Keys: s.keys, Clock: s.clock, Rand: s.rand, Roles: s.dicomRoles}).Register(r)
	workload.Register(r)
	s.identity = identity.New(identity.Config{Store: s.store, Keys: s.keys, Clock: s.clock, Rand: s.rand, HTTPClient: s.issuerClient(), Propagation: s.prop})
	s.identity.Register(r)
	r.HandleFunc(identity.PathManagedIdentity, s.identity.HandleManagedIdentity(s.IdentityHeader()))
	if s.opts.UserConsent != "" {
		s.identity.SetConsentPolicy(s.opts.UserConsent)
	}
	var h http.Handler = s.guardControl(r)
	h = s.rollKeys(h)
	if !s.opts.TrustForwardedHost {
		h = dropForwardedHost(h)
	}
	h = s.faults.wrap(h)
	h = limitBody(h)
	h = s.counter.wrap(h)
	if s.opts.AccessLog != nil {
		h = accessLog(s.opts.AccessLog, s.clock, h)
	}
	return h
}

// dropForwardedHost removes X-Forwarded-Host, which every surface would otherwise follow when it
// builds its own URLs, unless the server was told a trusted proxy sets it.
func dropForwardedHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del(httpx.HeaderForwardedHost)
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > httpx.MaxRequestBody {
			httpx.WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": map[string]any{
				"code": "RequestEntityTooLarge", "message": fmt.Sprintf("The request body is larger than %d bytes.", httpx.MaxRequestBody)}})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxRequestBody)
		next.ServeHTTP(w, r)
	})
}

// Close stops the server and removes its temporary files.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.client != nil {
		// Its idle HTTP/2 connections would otherwise hold Shutdown for the server's one-second
		// GOAWAY grace.
		s.client.CloseIdleConnections()
	}
	err := s.Shutdown(ctx)
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
	return err
}

// Shutdown stops accepting requests and waits for those under way.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if serveErr := <-s.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	s.done <- http.ErrServerClosed // a second Shutdown returns at once
	return err
}

// URL is the server's base URL, https://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Addr is the address the server listens on (an unspecified IP when it listens on all).
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// ControlToken is the bearer token the control API (/mock/… but healthz) requires. It is random
// on every start, never derived from the seed, and written to the env file (0600) as
// MOCKGRAPH_CONTROL_TOKEN: another local user cannot reset the tenant or read its secrets.
func (s *Server) ControlToken() string { return s.control }

// AuthorityHost is what AZURE_AUTHORITY_HOST must say (with its trailing slash).
func (s *Server) AuthorityHost() string { return s.url + "/" }

// GraphURL is Graph's base, https://…/v1.0.
func (s *Server) GraphURL() string { return s.url + httpx.GraphPrefix }

// ARMURL is Azure Resource Manager's base.
func (s *Server) ARMURL() string { return s.url }

// DICOMURL is the seeded DICOM service's DICOMweb base (append /v2/studies …).
func (s *Server) DICOMURL() string {
	return s.url + httpx.DICOMPrefix + s.Seeded().DicomServiceHost
}

// TenantID is the tenant's id.
func (s *Server) TenantID() string {
	var id string
	_ = s.store.View(func(d *tenant.Directory) error { id = d.TenantID; return nil })
	return id
}

// Seeded tells what the seed made: admin credentials, test user, subscription, DICOM service.
func (s *Server) Seeded() tenant.SeedResult {
	var r tenant.SeedResult
	_ = s.store.View(func(d *tenant.Directory) error { r = d.Seeded; return nil })
	return r
}

// Seed is the random seed in use; pass it to WithSeed (or --seed) to repeat a run.
func (s *Server) Seed() uint64 { return s.seed }

// CertPool trusts the server's CA.
func (s *Server) CertPool() *x509.CertPool { return s.ca.Pool() }

// CAFile is the path of the CA certificate PEM (for SSL_CERT_FILE).
func (s *Server) CAFile() string { return s.caFile }

// CACertPEM is the CA certificate.
func (s *Server) CACertPEM() []byte { return s.ca.CertPEM() }

// Client is an HTTP client that trusts the server; the same one every call (Close closes its
// idle connections).
func (s *Server) Client() *http.Client {
	s.clientOnce.Do(func() {
		s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.ca.Pool()}, ForceAttemptHTTP2: true}}
	})
	return s.client
}

// Clock is the server's clock; advance it instead of sleeping.
func (s *Server) Clock() *clock.Adjustable { return s.clock }

// ApproveDeviceCode signs the user in for a pending device code, as the device-login page does.
func (s *Server) ApproveDeviceCode(userCode, userPrincipalName string) error {
	return s.identity.ApproveDeviceCode(userCode, userPrincipalName)
}

// SetFaults changes the injected faults.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// Faults returns the injected faults.
func (s *Server) Faults() Faults { return s.faults.get() }

// SetReplicationDelay changes the Graph replication delay.
func (s *Server) SetReplicationDelay(d time.Duration) {
	p := s.prop.Delays()
	p.Graph = d
	s.prop.Set(p)
}

// ReplicationDelay is the current Graph replication delay.
func (s *Server) ReplicationDelay() time.Duration { return s.prop.Delays().Graph }

// ConsentPolicy is the tenant's user-consent setting.
func (s *Server) ConsentPolicy() identity.ConsentPolicy { return s.identity.ConsentPolicy() }

// Propagation is every reader's current delay.
func (s *Server) Propagation() propagation.Delays { return s.prop.Delays() }

// SetPropagation changes the delays (and forgets the DICOM service's cached decisions).
func (s *Server) SetPropagation(d propagation.Delays) { s.prop.Set(d) }

// Requests counts the requests seen since start or ResetRequests.
func (s *Server) Requests() RequestStats { return s.counter.snapshot() }

// ResetRequests zeroes the request counts.
func (s *Server) ResetRequests() { s.counter.reset() }
