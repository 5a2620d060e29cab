// Command mockgraph runs the dicomreg mock of Graph, Entra ID, ARM and DICOMweb.
package main

import (
	"context"
	"os"

	"github.com/dicomreg/dicomreg/mockgraph/internal/servecmd"
)

func main() { os.Exit(servecmd.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
