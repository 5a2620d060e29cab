// Command mockload drives a running mockgraph (or a peer token server) with concurrent clients,
// bounded in time and requests, on loopback only; see `mockload -h`.
package main

import (
	"context"
	"os"

	"github.com/dicomreg/dicomreg/mockgraph/internal/loadgen"
)

func main() { os.Exit(loadgen.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
