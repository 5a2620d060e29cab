// Command dicomload drives a DICOMweb server on loopback with concurrent clients; see `dicomload -h`.
package main

import (
	"context"
	"os"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/dicomload"
)

func main() { os.Exit(dicomload.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
