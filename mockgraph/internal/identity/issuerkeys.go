package identity

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// External issuers' keys are fetched over HTTPS through OIDC discovery and cached, bounded in
// count and time, as Entra caches them; a token whose kid is not in the cached set makes the next
// fetch happen at most once per refetch interval (key rollover at the issuer).
const (
	maxCachedIssuers     = 64
	issuerKeysLifetime   = 24 * time.Hour
	issuerRefetchBackoff = time.Minute
	issuerFetchTimeout   = 10 * time.Second
	maxIssuerDocBytes    = 1 << 20
	maxIssuerKeys        = 100
)

type issuerKeySet struct {
	keys    map[string]*rsa.PublicKey // kid → key
	fetched time.Time
}

// issuerKeyCache holds the keys of the external issuers apps trust.
type issuerKeyCache struct {
	client func() *http.Client
	mu     sync.Mutex
	sets   map[string]issuerKeySet
	tried  map[string]time.Time // issuer → last fetch attempt
	fetchM sync.Mutex           // one fetch at a time: the cache is a mock's, not a fleet's
}

func newIssuerKeyCache(client func() *http.Client) *issuerKeyCache {
	return &issuerKeyCache{client: client, sets: map[string]issuerKeySet{}, tried: map[string]time.Time{}}
}

// cached returns the issuer's keys if fetched within their lifetime.
func (c *issuerKeyCache) cached(iss string, now time.Time) (map[string]*rsa.PublicKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sets[iss]
	if !ok || !now.Before(s.fetched.Add(issuerKeysLifetime)) {
		return nil, false
	}
	return s.keys, true
}

// fetch refreshes the issuer's keys unless they are fresh or were tried within the backoff.
func (c *issuerKeyCache) fetch(ctx context.Context, iss string, now time.Time) {
	c.fetchM.Lock()
	defer c.fetchM.Unlock()
	c.mu.Lock()
	last, tried := c.tried[iss]
	_, fresh := c.sets[iss]
	c.mu.Unlock()
	if tried && now.Before(last.Add(issuerRefetchBackoff)) && fresh {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, issuerFetchTimeout)
	defer cancel()
	keys, err := fetchIssuerKeys(ctx, c.client(), iss)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tried[iss] = now
	if err != nil {
		return
	}
	if _, ok := c.sets[iss]; !ok && len(c.sets) >= maxCachedIssuers {
		oldest := ""
		for k, v := range c.sets {
			if oldest == "" || v.fetched.Before(c.sets[oldest].fetched) {
				oldest = k
			}
		}
		delete(c.sets, oldest)
		delete(c.tried, oldest)
	}
	c.sets[iss] = issuerKeySet{keys: keys, fetched: now}
}

// fetchIssuerKeys reads {iss}/.well-known/openid-configuration, checks that it names iss as its
// issuer, and reads the RSA keys of its jwks_uri (https only).
func fetchIssuerKeys(ctx context.Context, client *http.Client, iss string) (map[string]*rsa.PublicKey, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, client, strings.TrimSuffix(iss, "/")+"/.well-known/openid-configuration", &doc); err != nil {
		return nil, err
	}
	if doc.Issuer != iss {
		return nil, fmt.Errorf("discovery names issuer %q, not %q", doc.Issuer, iss)
	}
	if !strings.HasPrefix(doc.JWKSURI, "https://") {
		return nil, fmt.Errorf("jwks_uri %q is not https", doc.JWKSURI)
	}
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := getJSON(ctx, client, doc.JWKSURI, &set); err != nil {
		return nil, err
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || len(out) >= maxIssuerKeys {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 || len(n) < 256 {
			continue
		}
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return out, nil
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	if !strings.HasPrefix(url, "https://") {
		return fmt.Errorf("%s is not https", url)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxIssuerDocBytes)).Decode(v)
}
