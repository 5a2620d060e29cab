// Command dicomreg registers client applications for the Azure DICOM service.
package main

import (
	"context"
	"os"

	"github.com/dicomreg/dicomreg/plugin/cli"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
)

func main() { os.Exit(cli.Main(context.Background(), os.Args[1:], iostreams.System())) }
