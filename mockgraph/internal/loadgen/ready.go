package loadgen

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sort"
	"time"
)

// ExecToReady starts argv, polls url until it answers 200, and returns the time from exec to that
// answer; the process is then stopped. The poll interval is 1 ms, so the reading is that precise.
func ExecToReady(ctx context.Context, argv []string, url string, insecure bool) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		// Readiness only: the certificate of the server under test is checked by the real runs.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}, DisableKeepAlives: true,
	}}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := start.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, errors.New("not ready within 30 s: " + url)
}

// MedianExecToReady runs ExecToReady runs times and returns the median and all readings.
func MedianExecToReady(ctx context.Context, argv []string, url string, runs int) (time.Duration, []time.Duration, error) {
	var all []time.Duration
	for i := 0; i < runs; i++ {
		d, err := ExecToReady(ctx, argv, url, true)
		if err != nil {
			return 0, all, fmt.Errorf("run %d: %w", i+1, err)
		}
		all = append(all, d)
	}
	sorted := append([]time.Duration(nil), all...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[len(sorted)/2], all, nil
}
