// Command gongkai runs the government information disclosure catalog:
// the portal, the JSON API, imports and maintenance commands.
package main

import (
	"os"

	"gongkai/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args)) }
